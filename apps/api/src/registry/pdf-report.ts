/**
 * The registry's printable reports (model cards, provenance) as A4 PDFs written with pdfkit:
 * a title, key/value lines, headings, paragraphs and tables that break across pages. The PDF's
 * standard fonts (no font files shipped) encode WinAnsi only: other characters are written as '?'
 * rather than as glyphs a reader would misread.
 */
import PDFDocument from 'pdfkit';

export const winAnsi = (s: string) =>
  s
    .replace(/\u2265/g, '>=')
    .replace(/\u2264/g, '<=')
    .replace(/[^\x20-\x7e\xa0-\xff\n\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?');

export class PdfReport {
  private readonly doc: PDFKit.PDFDocument;
  private readonly done: Promise<Buffer>;

  constructor(title: string) {
    this.doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: title, Creator: 'Caliper' } });
    const chunks: Buffer[] = [];
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.doc.on('data', (c: Buffer) => chunks.push(c));
      this.doc.on('end', () => resolve(Buffer.concat(chunks)));
      this.doc.on('error', reject);
    });
    this.doc.font('Helvetica-Bold').fontSize(18).text(winAnsi(title));
    this.doc.moveDown(0.5);
  }

  /** Lines of "Key: value". */
  keyValues(pairs: readonly (readonly [string, string])[]): this {
    for (const [k, v] of pairs)
      this.doc
        .font('Helvetica-Bold')
        .fontSize(10)
        .text(`${winAnsi(k)}: `, { continued: true })
        .font('Helvetica')
        .text(winAnsi(v));
    return this;
  }

  heading(text: string): this {
    this.doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(winAnsi(text)).moveDown(0.3);
    return this;
  }

  body(text: string): this {
    this.doc.font('Helvetica').fontSize(10).text(winAnsi(text));
    return this;
  }

  note(text: string): this {
    this.doc.moveDown(0.5).font('Helvetica-Oblique').fontSize(10).text(winAnsi(text));
    return this;
  }

  /** A table whose rows wrap within their column widths (points; A4 less margins is 495) and move to a new page when full. */
  table(head: readonly string[], rows: readonly (readonly string[])[], widths: readonly number[]): this {
    const doc = this.doc;
    const x0 = doc.page.margins.left;
    const row = (cells: readonly string[], bold: boolean) => {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
      const width = (i: number) => (widths[i] ?? 60) - 6;
      const h = Math.max(...cells.map((c, i) => doc.heightOfString(winAnsi(c), { width: width(i) }))) + 4;
      if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage();
      const y = doc.y;
      let x = x0;
      cells.forEach((c, i) => {
        doc.text(winAnsi(c), x + 3, y + 2, { width: width(i) });
        x += widths[i] ?? 60;
      });
      doc.x = x0;
      doc.y = y + h;
    };
    row(head, true);
    for (const r of rows) row(r, false);
    doc.moveDown(0.5);
    return this;
  }

  /** Ends the document with a footer line; resolves to its bytes. */
  end(footer: string): Promise<Buffer> {
    this.doc.moveDown(1).font('Helvetica-Oblique').fontSize(8).text(winAnsi(footer));
    this.doc.end();
    return this.done;
  }
}
