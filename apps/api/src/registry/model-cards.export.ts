/**
 * A model version's card as a document someone outside Caliper reads: Markdown and PDF with the
 * same content (the version's identity, every card section, the metrics and subgroup tables, the
 * sections still missing, and each promotion signature with its printed name, role, meaning,
 * decision and time). Pure rendering; ModelCardsService gathers what goes in.
 */
import type { ModelCard } from '@caliper/domain';
import { PdfReport } from './pdf-report';

export interface CardSignature {
  printedName: string;
  role: string;
  meaning: string;
  decision: string;
  reason: string | null;
  signedAt: Date;
  /** The stage the signed request asked for. */
  targetStage: string;
}

export interface CardDocument {
  modelName: string;
  version: number;
  stage: string;
  /** sha256 over the pinned files (path, size, sha256). */
  artifactDigest: string | null;
  /** sha256 of the ONNX file the worker validated. */
  onnxSha256: string | null;
  source: string;
  runId: string | null;
  card: ModelCard;
  missingSections: string[];
  lockedAt: Date | null;
  updatedAt: Date | null;
  updatedBy: string | null;
  signatures: CardSignature[];
  generatedAt: Date;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const num = (v: number | null) => (v === null ? '—' : String(v));
const none = '_Not stated._';
/** An inline code span that holds any text: its fence is longer than any run of backticks in it. */
const code = (s: string) => {
  const fence = '`'.repeat(Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  return `${fence}${s.startsWith('`') || s.endsWith('`') ? ` ${s} ` : s}${fence}`;
};

/**
 * Text from the card as Markdown that renders as the text itself: a card's author must not be able
 * to add structure (a heading, a table, raw HTML) that a reader would take for the export's own,
 * such as a "Signatures" section. Backslashes, pipes, '<' (HTML) and '[' (links) are escaped
 * everywhere, and what would start a block (heading, quote, list, fence, rule, indented code) at a
 * line's start.
 */
function inline(text: string): string {
  return text.replace(/[\\|<[]/g, (c) => `\\${c}`);
}
/** Escapes what would start a block at the start of a line. */
const lineStart = (line: string) => line.replace(/^([#>+\-*=~`_])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
function prose(text: string): string {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) => lineStart(inline(line.trimStart())))
    .join('  \n');
}
/** Markdown table cells: one line, escaped. */
const cell = (s: string) => inline(s.replace(/\r?\n/g, ' '));

export function cardFilename(d: Pick<CardDocument, 'modelName' | 'version'>, ext: 'md' | 'pdf'): string {
  return `${d.modelName.replace(/[^A-Za-z0-9._-]+/g, '_')}-v${d.version}-model-card.${ext}`;
}

/** The sections in reading order, shared by both formats. */
function sections(d: CardDocument): { title: string; text?: string; list?: string[] }[] {
  const c = d.card;
  return [
    { title: 'Intended use', text: c.intendedUse },
    { title: 'Out-of-scope use', text: c.outOfScopeUse },
    { title: 'Training data', list: c.trainingData },
    { title: 'Validation data', list: c.validationData },
  ];
}

function identity(d: CardDocument): [string, string][] {
  return [
    ['Model', d.modelName],
    ['Version', String(d.version)],
    ['Stage', d.stage],
    ['Artifact sha256', d.artifactDigest ?? 'none (external source)'],
    ['ONNX file sha256', d.onnxSha256 ?? 'not validated yet'],
    ['Source', d.source],
    ['Source run', d.runId ?? 'none'],
    [
      'Card status',
      d.lockedAt
        ? `signed and locked since ${iso(d.lockedAt)}`
        : d.updatedAt
          ? `draft, last edited ${iso(d.updatedAt)}`
          : 'not written yet',
    ],
    ...(d.updatedBy ? ([['Last edited by', d.updatedBy]] as [string, string][]) : []),
  ];
}

export function renderCardMarkdown(d: CardDocument): string {
  const out: string[] = [`# Model card: ${cell(d.modelName)} version ${d.version}`, ''];
  for (const [k, v] of identity(d))
    out.push(`- **${k}:** ${k.includes('sha256') || k === 'Source' || k === 'Source run' ? code(v) : cell(v)}`);
  out.push('');
  if (d.missingSections.length) out.push(`> Incomplete: missing ${d.missingSections.join(', ')}.`, '');
  for (const s of sections(d)) {
    out.push(`## ${s.title}`, '');
    if (s.list) out.push(...(s.list.length ? s.list.map((x) => `- ${lineStart(cell(x).trimStart())}`) : [none]));
    else out.push(s.text?.trim() ? prose(s.text) : none);
    out.push('');
  }
  out.push('## Metrics', '');
  if (d.card.metrics.length) {
    out.push('| Metric | Value | Threshold |', '| --- | ---: | ---: |');
    for (const m of d.card.metrics) out.push(`| ${cell(m.name)} | ${num(m.value)} | ${num(m.threshold)} |`);
  } else out.push(none);
  out.push('', '## Subgroup results', '');
  if (d.card.subgroups.length) {
    out.push('| Subgroup | Metric | Value |', '| --- | --- | ---: |');
    for (const s of d.card.subgroups) out.push(`| ${cell(s.group)} | ${cell(s.metric)} | ${s.value} |`);
  } else out.push(none);
  out.push('', '## Limitations', '', d.card.limitations.trim() ? prose(d.card.limitations) : none, '');
  out.push('## Changes from the previous version', '', d.card.changes.trim() ? prose(d.card.changes) : none, '');
  if (d.signatures.length) {
    out.push(
      '## Signatures',
      '',
      '| Printed name | Role | Meaning | Decision | Time (UTC) | Request |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const s of d.signatures)
      out.push(
        `| ${cell(s.printedName)} | ${cell(s.role)} | ${cell(s.meaning)} | ${cell(s.decision)}${s.reason ? `: ${cell(s.reason)}` : ''} | ${iso(s.signedAt)} | to ${cell(s.targetStage)} |`,
      );
    out.push('');
  }
  out.push(`_Exported from Caliper at ${iso(d.generatedAt)}._`, '');
  return out.join('\n');
}

export function renderCardPdf(d: CardDocument): Promise<Buffer> {
  const r = new PdfReport(`Model card: ${d.modelName} version ${d.version}`);
  r.keyValues(identity(d));
  if (d.missingSections.length) r.note(`Incomplete: missing ${d.missingSections.join(', ')}.`);
  for (const s of sections(d)) {
    r.heading(s.title);
    if (s.list) r.body(s.list.length ? s.list.map((x) => `\u2022 ${x}`).join('\n') : 'Not stated.');
    else r.body(s.text?.trim() || 'Not stated.');
  }
  r.heading('Metrics');
  if (d.card.metrics.length)
    r.table(
      ['Metric', 'Value', 'Threshold'],
      d.card.metrics.map((m) => [m.name, num(m.value), num(m.threshold)]),
      [255, 120, 120],
    );
  else r.body('Not stated.');
  r.heading('Subgroup results');
  if (d.card.subgroups.length)
    r.table(
      ['Subgroup', 'Metric', 'Value'],
      d.card.subgroups.map((s) => [s.group, s.metric, String(s.value)]),
      [255, 120, 120],
    );
  else r.body('Not stated.');
  r.heading('Limitations');
  r.body(d.card.limitations.trim() || 'Not stated.');
  r.heading('Changes from the previous version');
  r.body(d.card.changes.trim() || 'Not stated.');
  if (d.signatures.length) {
    r.heading('Signatures');
    r.table(
      ['Printed name', 'Role', 'Meaning', 'Decision', 'Time (UTC)'],
      d.signatures.map((s) => [
        s.printedName,
        s.role,
        s.meaning,
        `${s.decision}${s.reason ? `: ${s.reason}` : ''} (to ${s.targetStage})`,
        iso(s.signedAt),
      ]),
      [120, 85, 75, 110, 105],
    );
  }
  return r.end(`Exported from Caliper at ${iso(d.generatedAt)}.`);
}
