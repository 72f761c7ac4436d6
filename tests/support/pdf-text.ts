import path from "node:path";

// The standard fonts' metrics ship with pdfjs-dist; nothing is fetched. Tests run from the
// repository's root (Vitest and Playwright alike; Playwright's loader has no import.meta).
const standardFontDataUrl = `${path.join(process.cwd(), "node_modules", "pdfjs-dist", "standard_fonts")}/`;

// pdfjs-dist is ES modules only: loaded on first use, so this file also works from a CommonJS loader.
const pdfjs = () => import("pdfjs-dist/legacy/build/pdf.mjs");

async function open(bytes: Uint8Array) {
  const { getDocument } = await pdfjs();
  return getDocument({ data: new Uint8Array(bytes), standardFontDataUrl });
}

/** Every string drawn in a PDF, in drawing order, one per line (pdfjs's whitespace-only items dropped). */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const task = await open(bytes);
  const doc = await task.promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.flatMap((item) => ("str" in item && item.str.trim() !== "" ? [item.str] : [])).join("\n"));
  }
  await task.destroy();
  return pages.join("\n");
}

export async function pdfPageCount(bytes: Uint8Array): Promise<number> {
  const task = await open(bytes);
  const pages = (await task.promise).numPages;
  await task.destroy();
  return pages;
}
