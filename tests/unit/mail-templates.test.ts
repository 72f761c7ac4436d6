import { describe, expect, it } from "vitest";

import { renderMail } from "@/lib/process-managers/mail/templates";

describe("mail templates", () => {
  it("make the text and the HTML body from one template, escaping what came from users", () => {
    const mail = renderMail(
      "notification",
      { title: "Money received", body: 'From <img src="https://evil.test/x.png"> & co', link: "/accounts/1" },
      "https://bank.test",
    );
    expect(mail.text).toContain('From <img src="https://evil.test/x.png"> & co');
    expect(mail.html).toContain("From &lt;img src=&quot;https://evil.test/x.png&quot;&gt; &amp; co");
    expect(mail.html).not.toMatch(/<img/i);
    expect(mail.text).toContain("https://bank.test/accounts/1");
    expect(mail.html).toContain('href="https://bank.test/accounts/1"');
  });

  it("keep a subject on one line and links on http(s)", () => {
    const mail = renderMail("notification", { title: "Hi\r\nBcc: victim@example.com", body: "x", link: "//evil.test" }, "https://bank.test");
    expect(mail.subject).toBe("Hi Bcc: victim@example.com");
    expect(mail.html).not.toContain("evil.test");
    const reset = renderMail("password-reset", { token: "abc", origin: "javascript:alert(1)//" }, "https://bank.test");
    expect(reset.text).toContain("https://bank.test/reset-password?token=abc");
    expect(reset.html).not.toContain("javascript:");
  });
});
