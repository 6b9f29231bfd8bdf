/**
 * A model version's provenance (issue 14, item 4) as a chain a reader follows from left to right:
 * the dataset versions it was trained on (manifest sha256), the run (code, image, executor,
 * parameters), the version's files, each promotion's evaluation and signatures, and its
 * deployments; below, the audit events with their chain hashes. Downloads: the JSON document and
 * the printable PDF report, both from the API.
 */
import { useQuery } from '@apollo/client/react';
import { Link } from 'react-router-dom';
import { CopyButton } from '../ui/CopyButton';
import { Notice } from '../ui/feedback';
import { DateText } from '../ui/time';
import type { VersionSectionProps } from './ModelVersionPage';
import { VersionProvenanceQuery } from './provenance.operations';
import type { Provenance } from './provenance-types';

function Sha({ value, label }: { value: string | null | undefined; label: string }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <>
      <span className="mono" title={value}>
        {value.slice(0, 12)}…
      </span>
      <CopyButton text={value} label={`Copy ${label}`} />
    </>
  );
}

const ROLE_NAMES: Record<string, string> = { pi: 'PI', clinical_approver: 'Clinical approver', qa: 'QA' };

export function ProvenanceSection({ project, version }: VersionSectionProps) {
  const { data, error, loading } = useQuery(VersionProvenanceQuery, {
    variables: { projectId: project.id, name: version.modelName, version: version.version },
  });
  const base = `/api/v1/projects/${encodeURIComponent(project.id)}/models/${encodeURIComponent(version.modelName)}/versions/${version.version}`;
  const p = data?.modelVersion.provenance as Provenance | undefined;
  return (
    <section className="panel provenance" aria-labelledby="provenance-title">
      <div className="panel-header">
        <h2 id="provenance-title">Provenance</h2>
        <div className="model-card-actions">
          <a className="btn btn-quiet" href={`${base}/provenance.json`} download>
            Download JSON
          </a>
          <a className="btn btn-quiet" href={`${base}/provenance.pdf`} download>
            Printable report (PDF)
          </a>
        </div>
      </div>
      {error ? <Notice kind="error">The provenance could not be loaded: {error.message}</Notice> : null}
      {!p ? (
        loading ? (
          <p className="muted">Loading the provenance…</p>
        ) : null
      ) : (
        <>
          <ol className="provenance-chain" aria-label="From data to clinical use">
            <li aria-label="Data">
              <h3>Data</h3>
              {p.datasets.length ? (
                <ul>
                  {p.datasets.map((d) => (
                    <li key={`${d.datasetVersionId ?? d.name}-${d.digest}`}>
                      {d.datasetVersionId ? (
                        <Link to={`/dataset-versions/${encodeURIComponent(d.datasetVersionId)}`}>
                          {d.dataset ?? d.name} v{d.number}
                        </Link>
                      ) : (
                        d.name
                      )}{' '}
                      · manifest <Sha value={d.manifestSha256 ?? d.digest} label="manifest sha256" />
                      {d.itemCount !== null ? ` · ${d.itemCount} items` : ''}
                      {d.sealedAt ? (
                        <>
                          {' '}
                          · sealed <DateText value={d.sealedAt} withTime />
                          {d.sealedBy ? ` by ${d.sealedBy}` : ''}
                        </>
                      ) : null}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">The training run logged no dataset inputs.</p>
              )}
            </li>
            <li aria-label="Training run">
              <h3>Training run</h3>
              {p.run ? (
                <dl className="model-facts">
                  <dt>Run</dt>
                  <dd>
                    <Link to={`/runs/${encodeURIComponent(p.run.runId)}`}>{p.run.name}</Link> in {p.run.experiment} ({p.run.status})
                  </dd>
                  <dt>Code</dt>
                  <dd>{p.run.gitCommit ? <Sha value={p.run.gitCommit} label="commit" /> : <span className="muted">not recorded</span>}</dd>
                  <dt>Image</dt>
                  <dd>
                    {p.run.imageDigest ? (
                      <Sha value={p.run.imageDigest} label="image digest" />
                    ) : (
                      <span className="muted">not recorded</span>
                    )}
                  </dd>
                  <dt>Executor</dt>
                  <dd>
                    {p.run.executor ? `${p.run.executor.kind} job ${p.run.executor.jobId}` : <span className="muted">not recorded</span>}
                  </dd>
                  <dt>Parameters</dt>
                  <dd>
                    {p.run.params.length ? (
                      <details>
                        <summary>{p.run.params.length} parameters</summary>
                        <ul className="mono">
                          {p.run.params.map((x) => (
                            <li key={x.key}>
                              {x.key} = {x.value}
                            </li>
                          ))}
                        </ul>
                      </details>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </dd>
                </dl>
              ) : (
                <p className="muted">Registered from a source outside Caliper's runs.</p>
              )}
            </li>
            <li aria-label="Model files">
              <h3>Model files</h3>
              <ul>
                {p.version.files.map((f) => (
                  <li key={f.path}>
                    <span className="mono">{f.path}</span> · <Sha value={f.sha256} label={`${f.path} sha256`} />
                  </li>
                ))}
              </ul>
              {p.version.validation ? (
                <p>
                  ONNX validation {p.version.validation.status}, opset {p.version.validation.opset ?? '?'}
                </p>
              ) : null}
            </li>
            <li aria-label="Evidence and approvals">
              <h3>Evidence and approvals</h3>
              {p.requests.length ? (
                p.requests.map((r) => (
                  <div key={r.id} className="provenance-request">
                    <p>
                      <Link
                        to={`/models/${encodeURIComponent(project.slug)}/${encodeURIComponent(version.modelName)}/requests/${encodeURIComponent(r.id)}`}
                      >
                        To {r.to}
                      </Link>{' '}
                      — {r.status.replace('_', ' ')}, requested by {r.requestedBy}
                    </p>
                    {r.evaluation ? (
                      <p>
                        Evaluation {r.evaluation.status} on {r.evaluation.itemCount ?? '?'} test items (manifest{' '}
                        <Sha value={r.evaluation.manifestSha256} label="test set manifest sha256" />
                        ):{' '}
                        {Object.entries(r.evaluation.metrics ?? {})
                          .map(([k, v]) => `${k} ${v === null ? '—' : v.toFixed(3)}`)
                          .join(', ')}
                      </p>
                    ) : null}
                    {r.signatures.length ? (
                      <ul className="provenance-signatures">
                        {r.signatures.map((s) => (
                          <li key={`${s.username}-${s.role}`}>
                            <strong>{s.printedName}</strong>, {ROLE_NAMES[s.role] ?? s.role}, {s.meaning}, {s.decision}{' '}
                            <DateText value={s.signedAt} withTime />
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </div>
                ))
              ) : (
                <p className="muted">No promotion was requested.</p>
              )}
            </li>
            <li aria-label="Deployments">
              <h3>Deployments</h3>
              {p.deployments.length ? (
                <ul>
                  {p.deployments.map((d) => (
                    <li key={d.id}>
                      {d.mode} at {d.site}: {d.status}, from <DateText value={d.startedAt} withTime />
                      {d.endedAt ? (
                        <>
                          {' '}
                          to <DateText value={d.endedAt} withTime />
                          {d.endedReason ? ` (${d.endedReason})` : ''}
                        </>
                      ) : null}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">Never deployed.</p>
              )}
            </li>
          </ol>
          <details className="provenance-audit">
            <summary>Audit trail ({p.audit.length} events)</summary>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Seq</th>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Hash</th>
                </tr>
              </thead>
              <tbody>
                {p.audit.map((e) => (
                  <tr key={e.seq}>
                    <td className="mono">{e.seq}</td>
                    <td>
                      <DateText value={e.time} withTime />
                    </td>
                    <td>{e.actor}</td>
                    <td className="mono">{e.action}</td>
                    <td>
                      <Sha value={e.hash} label="event hash" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {p.auditTruncated ? <p className="muted">Cut at its bound: the audit log has the rest.</p> : null}
          </details>
        </>
      )}
    </section>
  );
}
