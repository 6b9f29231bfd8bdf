/**
 * A model version's provenance as a printable report (issue 14, item 4): the same document as
 * provenance.json, laid out for a reader who signs off an audit: the version and its files, the
 * run (code, image, executor, parameters), the dataset versions it was trained on, each promotion
 * request with its gates, evaluation and signatures, the deployments, and the audit trail with the
 * chain's hashes.
 */
import { PdfReport } from './pdf-report';
import type { VersionProvenance } from './provenance.service';

const MAX_PARAMS_IN_PDF = 60;
const short = (h: string | null | undefined) => (h ? `${h.slice(0, 16)}…` : '—');
const or = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '—' : String(v));

export function provenanceFilename(p: Pick<VersionProvenance, 'model' | 'version'>, ext: 'json' | 'pdf'): string {
  return `${p.model.name}-v${p.version.version}-provenance.${ext}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function renderProvenancePdf(p: VersionProvenance): Promise<Buffer> {
  const r = new PdfReport(`Provenance: ${p.model.name} version ${p.version.version}`);
  r.keyValues([
    ['Project', p.model.projectSlug],
    ['Stage', p.version.stage],
    ['Files digest (sha256)', or(p.version.artifactDigest)],
    ['Source', p.version.source],
    ['Registered', `${p.version.registeredAt} by ${or(p.version.registeredBy)}`],
    [
      'ONNX validation',
      p.version.validation
        ? `${p.version.validation.status}, opset ${or(p.version.validation.opset)}, ${or(p.version.validation.taskType)}, sha256 ${or(p.version.validation.sha256)}`
        : 'none',
    ],
  ]);
  r.heading('Files');
  r.table(
    ['Path', 'Size (bytes)', 'sha256'],
    p.version.files.map((f) => [f.path, String(f.size), f.sha256]),
    [150, 70, 275],
  );

  r.heading('Training run');
  if (p.run) {
    r.keyValues([
      ['Run', `${p.run.name} (${p.run.runId}) in experiment ${p.run.experiment}, ${p.run.status}`],
      ['Started / ended', `${or(p.run.startTime)} / ${or(p.run.endTime)}`],
      ['By', or(p.run.user)],
      ['Code', `${or(p.run.gitRepo)} @ ${or(p.run.gitCommit)}`],
      ['Container image', or(p.run.imageDigest)],
      ['Executor', p.run.executor ? `${p.run.executor.kind} job ${p.run.executor.jobId}` : '—'],
    ]);
    if (p.run.params.length) {
      const shown = p.run.params.slice(0, MAX_PARAMS_IN_PDF);
      r.table(
        ['Parameter', 'Value'],
        shown.map((x) => [x.key, x.value]),
        [200, 295],
      );
      const more = p.run.params.length - shown.length;
      if (more > 0 || p.run.paramsTruncated)
        r.note(`More parameters are in provenance.json${p.run.paramsTruncated ? ' (itself bounded)' : ''}.`);
    }
  } else r.body('The version was not registered from a run.');

  r.heading('Dataset versions');
  if (p.datasets.length)
    r.table(
      ['Dataset', 'Version', 'Manifest sha256', 'Items', 'Sealed'],
      p.datasets.map((d) => [
        or(d.dataset ?? d.name),
        or(d.number),
        or(d.manifestSha256 ?? d.digest),
        or(d.itemCount),
        `${or(d.sealedAt)} ${d.sealedBy ? `by ${d.sealedBy}` : ''}`,
      ]),
      [95, 45, 200, 45, 110],
    );
  else r.body('The run logged no dataset inputs.');

  r.heading('Promotion requests');
  if (!p.requests.length) r.body('None.');
  for (const q of p.requests) {
    r.keyValues([
      ['Request', `${q.kind} ${q.from} -> ${q.to}: ${q.status}`],
      ['Requested', `${q.requestedAt} by ${q.requestedBy}${q.reason ? `: ${q.reason}` : ''}`],
      ['Decided', q.decidedAt ? `${q.decidedAt}${q.decisionReason ? `: ${q.decisionReason}` : ''}` : '—'],
      ['Signed content (sha256)', or(q.contentSha256)],
    ]);
    r.table(
      ['Gate', 'Status', 'Evidence'],
      q.gates.map((g) => [g.gate, g.status, g.detail]),
      [85, 50, 360],
    );
    if (q.evaluation)
      r.keyValues([
        [
          'Evaluation',
          `${q.evaluation.status} on ${or(q.evaluation.itemCount)} test items (manifest ${or(q.evaluation.manifestSha256)}, model ${short(q.evaluation.modelSha256)}): ${Object.entries(
            q.evaluation.metrics ?? {},
          )
            .map(([k, v]) => `${k} ${v === null ? '—' : v.toFixed(4)}`)
            .join(', ')}`,
        ],
      ]);
    if (q.signatures.length) {
      r.body('Signatures');
      r.table(
        ['Printed name', 'Role', 'Meaning', 'Decision', 'Time (UTC)', 'Binds sha256'],
        q.signatures.map((s) => [
          s.printedName,
          s.role,
          s.meaning,
          `${s.decision}${s.reason ? `: ${s.reason}` : ''}`,
          s.signedAt,
          short(s.contentSha256),
        ]),
        [90, 90, 65, 60, 105, 85],
      );
    }
  }

  r.heading('Deployments');
  if (p.deployments.length)
    r.table(
      ['Site', 'Mode', 'Status', 'Started', 'Ended'],
      p.deployments.map((d) => [
        d.site,
        d.mode,
        d.status,
        d.startedAt,
        d.endedAt ? `${d.endedAt}${d.endedReason ? `: ${d.endedReason}` : ''}` : '—',
      ]),
      [60, 55, 50, 120, 210],
    );
  else r.body('Never deployed.');

  r.heading('Audit trail');
  r.table(
    ['Seq', 'Time (UTC)', 'Actor', 'Action', 'Hash'],
    p.audit.map((e) => [e.seq, e.time, e.actor, e.action, short(e.hash)]),
    [40, 130, 90, 140, 95],
  );
  if (p.auditTruncated) r.note('The audit trail is cut at its bound; query the audit log for the rest.');
  return r.end(
    `Generated by Caliper at ${p.generatedAt}. Each audit hash chains to the one before it: check them with \`caliper audit verify\`.`,
  );
}
