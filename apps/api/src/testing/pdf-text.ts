/**
 * The text of a PDF as pdf.js reads it (pdf-parse), for tests of the registry's printable exports.
 * In a child Node process: pdf.js loads its worker with a dynamic import, which Jest's module
 * system refuses.
 */
import { execFile } from 'node:child_process';

export function pdfText(pdf: Buffer): Promise<string> {
  const script = `const { PDFParse } = require('pdf-parse');
    const chunks = []; process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', async () => { const p = new PDFParse({ data: Buffer.concat(chunks) }); process.stdout.write((await p.getText()).text); await p.destroy(); });`;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', script], { cwd: __dirname, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`pdf-parse failed: ${stderr || err.message}`)) : resolve(stdout),
    );
    child.stdin!.end(pdf);
  });
}
