/**
 * Names are compared by a "skeleton" so that text that looks the same to a person matches the same
 * entry: compatibility forms folded (NFKC: fullwidth, mathematical letters, ligatures), invisible
 * format characters dropped (zero-width spaces and joiners, soft hyphens, bidi controls, variation
 * selectors), diacritics dropped, case folded (ß -> ss), and the Cyrillic, Greek and other letters
 * that are drawn like Latin ones mapped to those (a subset of Unicode's confusables, UTS #39, for the
 * scripts an evasion would borrow from), digits that pass for letters included.
 */

// Upper-case look-alikes, mapped before case folding (lower-case forms of some differ in shape).
const UPPER: Record<string, string> = {
  // Cyrillic
  А: "A",
  В: "B",
  Е: "E",
  Ѕ: "S",
  І: "I",
  Ј: "J",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  У: "Y",
  Х: "X",
  Ү: "Y",
  Ԛ: "Q",
  Ԝ: "W",
  // Greek
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
};

const LOWER: Record<string, string> = {
  // Cyrillic
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  һ: "h",
  і: "i",
  ї: "i",
  ј: "j",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  п: "n",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  ѕ: "s",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  ү: "y",
  ӏ: "l",
  // Greek
  α: "a",
  β: "b",
  γ: "y",
  ε: "e",
  η: "n",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  ω: "w",
  // Armenian, Latin letters with strokes or special shapes that do not decompose
  օ: "o",
  ս: "u",
  ց: "g",
  ɑ: "a",
  ɡ: "g",
  ı: "i",
  ȷ: "j",
  ł: "l",
  ø: "o",
  đ: "d",
  ħ: "h",
  ŧ: "t",
  ƀ: "b",
  ɨ: "i",
  ʋ: "v",
  æ: "ae",
  œ: "oe",
  ð: "d",
  þ: "th",
  // Digits drawn like letters
  "0": "o",
  "1": "l",
  "5": "s",
  "3": "e",
  "4": "a",
  "7": "t",
  "8": "b",
};

// Format characters (Cf: zero-width space/joiners, soft hyphen, bidi controls, word joiner, BOM),
// variation selectors and the combining grapheme joiner: invisible, so never part of a name.
const INVISIBLE = /[\p{Cf}\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;

function mapEach(text: string, table: Record<string, string>): string {
  let out = "";
  for (const char of text) out += table[char] ?? char;
  return out;
}

/** The comparable form of a name: words of ASCII-like letters and digits, separated by single spaces. */
export function nameSkeleton(text: string): string {
  const visible = text.normalize("NFKC").replace(INVISIBLE, "");
  const plain = mapEach(visible, UPPER)
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "");
  const folded = plain
    .toUpperCase()
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "");
  return mapEach(folded, LOWER)
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The skeleton with every separator removed: "I.v.a.n P-e-t-r-o-v" -> "ivanpetrov". */
export function compactSkeleton(text: string): string {
  return nameSkeleton(text).replaceAll(" ", "");
}
