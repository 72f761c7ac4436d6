import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from "pdf-lib";

import type { MonthlyFigures } from "../domain/account/monthly-statement";

/**
 * A monthly statement as PDF (pdf-lib, with the standard Helvetica font that every PDF reader has:
 * nothing is fetched or embedded from outside). Pure formatting: the caller gives the figures and
 * the lines already formatted in the customer's locale and time zone, the same ones the page shows.
 */
export type StatementPdfInput = {
  readonly title: string;
  readonly holder: string;
  readonly accountLabel: string;
  readonly accountNumber: string;
  readonly currency: string;
  /** "November 2026", and the period with its time zone. */
  readonly monthLabel: string;
  readonly period: string;
  readonly figures: MonthlyFigures;
  /** The figures as the customer reads them ("1.234,50 €"). */
  readonly formatted: { readonly opening: string; readonly moneyIn: string; readonly moneyOut: string; readonly closing: string };
  readonly lines: readonly {
    readonly date: string;
    readonly movement: string;
    readonly details: string;
    readonly amount: string;
    readonly balance: string;
    readonly refused: boolean;
  }[];
  readonly generatedAt: Date;
  readonly generatedLabel: string;
};

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const SIZE = 9;
const ROW = 14;
// Column x positions (left edges; amounts are right-aligned to the next edge).
const COLS = { date: MARGIN, movement: MARGIN + 96, details: MARGIN + 190, amountRight: A4[0] - MARGIN - 80, balanceRight: A4[0] - MARGIN };
const GREY = rgb(0.35, 0.35, 0.35);

/**
 * The standard fonts encode WinAnsi only. Spaces Intl puts in numbers (narrow no-break, thin) and
 * the minus sign are mapped to their WinAnsi equivalents; anything else outside it becomes "?",
 * rather than failing the whole statement over one character of a payee's name.
 */
function encodable(font: PDFFont): (text: string) => string {
  const supported = new Set(font.getCharacterSet());
  const map: Record<string, string> = { "\u202f": "\u00a0", "\u2009": " ", "\u2212": "-", "\u2011": "-" };
  return (text) =>
    Array.from(text.normalize("NFC"), (char) => {
      const mapped = map[char] ?? char;
      return supported.has(mapped.codePointAt(0)!) ? mapped : "?";
    }).join("");
}

function fit(text: string, font: PDFFont, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let cut = text;
  while (cut.length > 0 && font.widthOfTextAtSize(`${cut}…`, size) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export async function monthlyStatementPdf(input: StatementPdfInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const clean = encodable(regular);
  doc.setTitle(clean(input.title));
  doc.setAuthor("Ledgerline");
  doc.setProducer("Ledgerline");
  doc.setCreator("Ledgerline");
  doc.setCreationDate(input.generatedAt);
  doc.setModificationDate(input.generatedAt);

  let page: PDFPage = doc.addPage(A4);
  let y = A4[1] - MARGIN;
  const text = (value: string, x: number, options: { font?: PDFFont; size?: number; color?: ReturnType<typeof rgb>; right?: boolean } = {}) => {
    const font = options.font ?? regular;
    const size = options.size ?? SIZE;
    const safe = clean(value);
    const at = options.right ? x - font.widthOfTextAtSize(safe, size) : x;
    page.drawText(safe, { x: at, y, size, font, color: options.color ?? rgb(0, 0, 0) });
  };
  const rule = () => page.drawLine({ start: { x: MARGIN, y: y - 4 }, end: { x: A4[0] - MARGIN, y: y - 4 }, thickness: 0.5, color: GREY });

  text("Ledgerline", MARGIN, { font: bold, size: 16 });
  text(input.generatedLabel, A4[0] - MARGIN, { right: true, color: GREY, size: 8 });
  y -= 26;
  text(input.title, MARGIN, { font: bold, size: 13 });
  y -= 18;
  text(input.holder, MARGIN);
  y -= ROW;
  text(`${input.accountLabel} · ${input.accountNumber} · ${input.currency}`, MARGIN);
  y -= ROW;
  text(input.period, MARGIN, { color: GREY });
  y -= 26;

  const summary: [string, string][] = [
    ["Opening balance", input.formatted.opening],
    ["Money in", input.formatted.moneyIn],
    ["Money out", input.formatted.moneyOut],
    ["Closing balance", input.formatted.closing],
  ];
  for (const [label, value] of summary) {
    const strong = label === "Closing balance";
    text(label, MARGIN, { font: strong ? bold : regular, size: 10 });
    text(value, MARGIN + 260, { font: strong ? bold : regular, size: 10, right: true });
    y -= ROW + 2;
  }
  y -= 12;

  const header = () => {
    text("Date", COLS.date, { font: bold });
    text("Movement", COLS.movement, { font: bold });
    text("Details", COLS.details, { font: bold });
    text("Amount", COLS.amountRight, { font: bold, right: true });
    text("Balance", COLS.balanceRight, { font: bold, right: true });
    rule();
    y -= ROW + 2;
  };
  text(`Movements (${input.figures.movements})`, MARGIN, { font: bold, size: 11 });
  y -= ROW + 4;
  if (input.lines.length === 0) {
    text("No movements this month: the closing balance is the opening balance.", MARGIN, { color: GREY });
    y -= ROW;
  } else header();
  const detailsWidth = COLS.amountRight - 90 - COLS.details;
  for (const line of input.lines) {
    if (y < MARGIN + ROW) {
      page = doc.addPage(A4);
      y = A4[1] - MARGIN;
      header();
    }
    const color = line.refused ? GREY : rgb(0, 0, 0);
    text(line.date, COLS.date, { color });
    text(fit(clean(line.movement), regular, SIZE, COLS.details - COLS.movement - 6), COLS.movement, { color });
    text(fit(clean(line.details), regular, SIZE, detailsWidth), COLS.details, { color });
    text(line.amount, COLS.amountRight, { right: true, color });
    text(line.balance, COLS.balanceRight, { right: true, color });
    y -= ROW;
  }

  const pages = doc.getPages();
  pages.forEach((each, index) => {
    page = each;
    y = MARGIN / 2;
    text(`${input.accountNumber} · ${input.monthLabel} · page ${index + 1} of ${pages.length}`, A4[0] - MARGIN, {
      right: true,
      color: GREY,
      size: 8,
    });
  });
  return doc.save();
}
