import { createRequire } from "node:module";
import path from "node:path";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

// The standard fonts' metrics ship with pdfjs-dist; nothing is fetched.
const standardFontDataUrl = `${path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"))}/standard_fonts/`;

/** Every string drawn in a PDF, in drawing order, one per line (pdfjs's whitespace-only items dropped). */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const task = getDocument({ data: new Uint8Array(bytes), standardFontDataUrl });
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
  const task = getDocument({ data: new Uint8Array(bytes), standardFontDataUrl });
  const pages = (await task.promise).numPages;
  await task.destroy();
  return pages;
}
