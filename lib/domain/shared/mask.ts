/** "Dana Whitfield" -> "Da** Wh*******": enough to confirm the payee, not enough to harvest names. */
export function maskName(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const shown = word.length <= 3 ? 1 : 2;
      return word.slice(0, shown) + "*".repeat(Math.max(word.length - shown, 1));
    })
    .join(" ");
}
