import { describe, expect, it } from "vitest";

import { normaliseName, screen } from "@/lib/domain/sanctions/sanctions";

const LIST = [{ name: "Ivan Petrov" }, { name: "Blackwater Trading" }, { name: "Straße Holdings" }];

// Each of these is meant to read as a listed name to a person while slipping past a plain comparison.
const EVASIONS: [string, string][] = [
  ["Ivаn Petrov", "Cyrillic а for a"],
  ["ІVАN РЕТRОV", "all capitals in Cyrillic"],
  ["Ιvan Ρetrov", "Greek capitals Iota and Rho"],
  ["I\u200bvan Pe\u200ctrov", "zero-width space and non-joiner"],
  ["Iva\u00adn Pet\u00adrov", "soft hyphens"],
  ["\u202eIvan Petrov\u202c", "bidi override around the name"],
  ["Ivan\u2060 Petrov\ufeff", "word joiner and byte-order mark"],
  ["Ｉｖａｎ Ｐｅｔｒｏｖ", "fullwidth letters"],
  ["𝐈𝐯𝐚𝐧 𝐏𝐞𝐭𝐫𝐨𝐯", "mathematical bold"],
  ["Ívàn Pétrøv", "diacritics and a stroked o"],
  ["I\u0335van Petr\u0336ov", "combining overlays"],
  ["ıvan petrov", "Turkish dotless i"],
  ["IVAN   PETROV", "capitals and extra spaces"],
  ["Ivan\u00a0Petrov", "no-break space"],
  ["Ivan\u3000Petrov", "ideographic space"],
  ["I.v.a.n P.e.t.r.o.v", "dots between letters"],
  ["Ivan-Petrov", "a hyphen instead of a space"],
  ["IvanPetrov", "the words run together"],
  ["Iv4n P3tr0v", "digits for letters"],
  ["BLACKWATER trading", "mixed case"],
  ["Вlасkwаtеr Тrаding", "mixed Cyrillic in a company name"],
  ["B\ufe0flackwater Trading", "a variation selector"],
  ["Strasse Holdings", "ß written as ss"],
  ["STRASSE HOLDINGS", "ß in capitals"],
  ["Payment to Blackwater  Trading Ltd", "inside a longer payee name"],
];

describe("sanctions screening against Unicode evasions", () => {
  it.each(EVASIONS)("matches %j (%s)", (text) => {
    expect(screen([text, null], LIST)).not.toEqual([]);
  });

  it("still tells different names apart and does not match inside other words", () => {
    expect(screen(["Ivana Petrovic", "rent"], LIST)).toEqual([]);
    expect(screen(["Dana Whitfield", "Groceries"], LIST)).toEqual([]);
    expect(screen(["Ali Baba"], [{ name: "Ali" }])).toEqual(["Ali"]);
    expect(screen(["Kalinda"], [{ name: "Ali" }])).toEqual([]);
  });

  it("gives a listed name and its look-alike the same form, so the list refuses duplicates", () => {
    expect(normaliseName("Ivаn\u200b Petrov")).toBe(normaliseName("IVAN PETROV"));
    expect(normaliseName("Café-Noir  Ltd.")).toBe("cafe noir ltd");
  });
});
