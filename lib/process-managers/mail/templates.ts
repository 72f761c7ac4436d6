import type { MailTemplate } from "../../commands/mail";
import { DEFAULT_LOCALE, isLocale } from "../../domain/identity/locales";
import { formatMarkedMoney } from "../../domain/shared/money";

export type RenderedMail = { subject: string; text: string; html: string };

/**
 * One template per mail: a subject, paragraphs and at most one link, from which the text and the
 * HTML body are both made, so they cannot say different things. Everything is escaped for HTML;
 * there are no images or anything else a mail client would fetch.
 */
type Template = { subject: string; paragraphs: string[]; action?: { label: string; url: string } };

const escapeHtml = (value: string) =>
  value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");

/** Only http(s) links go into a mail: a stored value can never become a javascript: link. */
const safeUrl = (url: string) => (/^https?:\/\//i.test(url) ? url : "");

function render(template: Template): RenderedMail {
  const url = template.action ? safeUrl(template.action.url) : "";
  const text = [...template.paragraphs, ...(template.action && url ? [`${template.action.label}: ${url}`] : []), "— Ledgerline"].join("\n\n");
  const html = [
    "<!doctype html>",
    '<html><body style="font-family: system-ui, sans-serif; color: #1a1a1a; line-height: 1.5">',
    ...template.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...(template.action && url ? [`<p><a href="${escapeHtml(url)}">${escapeHtml(template.action.label)}</a></p>`] : []),
    "<p>— Ledgerline</p>",
    "</body></html>",
  ].join("\n");
  // A subject is one line: a stored value can never add a header.
  return { subject: template.subject.replace(/[\r\n]+/g, " ").slice(0, 200), text, html };
}

const str = (data: Record<string, unknown>, key: string) => (typeof data[key] === "string" ? (data[key] as string) : "");

/**
 * The mail a template makes of its data. Links point to the origin the request that queued it came
 * to (kept in `data.origin`), else to `fallbackOrigin` (AUTH_URL, or this server).
 */
export function renderMail(template: MailTemplate, data: Record<string, unknown>, fallbackOrigin: string): RenderedMail {
  const origin = (safeUrl(str(data, "origin")) || fallbackOrigin).replace(/\/+$/, "");
  switch (template) {
    case "notification": {
      const link = str(data, "link");
      // Amounts in the recipient's locale (queued with the mail; en-GB when they chose none).
      const locale = isLocale(data.locale) ? data.locale : DEFAULT_LOCALE;
      return render({
        subject: formatMarkedMoney(str(data, "title"), locale),
        paragraphs: [formatMarkedMoney(str(data, "body"), locale), "You get this by email because you asked to in your notification settings."],
        ...(link.startsWith("/") && !link.startsWith("//") ? { action: { label: "Open in Ledgerline", url: `${origin}${link}` } } : {}),
      });
    }
    case "password-reset":
      return render({
        subject: "Reset your Ledgerline password",
        paragraphs: [
          "Someone (we hope you) asked to reset the password of your Ledgerline account.",
          "The link works once, for 30 minutes. Setting a new password signs you out everywhere.",
          "If you did not ask, ignore this mail: your password stays as it is.",
        ],
        action: { label: "Choose a new password", url: `${origin}/reset-password?token=${encodeURIComponent(str(data, "token"))}` },
      });
    case "verify-email":
      return render({
        subject: "Confirm your email address for Ledgerline",
        paragraphs: [
          `Please confirm that ${str(data, "email")} is your address. Until you do, you can sign in but not send money out.`,
          "The link works once, for 24 hours.",
        ],
        action: { label: "Confirm my address", url: `${origin}/verify-email?token=${encodeURIComponent(str(data, "token"))}` },
      });
    case "email-changed":
      return render({
        subject: "Your Ledgerline email address is changing",
        paragraphs: [
          `Someone signed in to your Ledgerline account asked to use ${str(data, "newEmail")} instead of this address.`,
          "If that was not you, reset your password now and tell us.",
        ],
        action: { label: "Reset my password", url: `${origin}/forgot-password` },
      });
  }
}
