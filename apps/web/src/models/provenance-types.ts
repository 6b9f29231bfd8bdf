/**
 * The provenance document as the API sends it (ModelVersion.provenance, a JSON scalar; the same
 * as …/provenance.json; apps/api/src/registry/provenance.service.ts VersionProvenance): only the
 * parts the page reads.
 */
export interface Provenance {
  version: {
    files: { path: string; size: number; sha256: string }[];
    validation: { status: string; opset: number | null } | null;
  };
  run: {
    runId: string;
    name: string;
    experiment: string;
    status: string;
    gitCommit: string | null;
    imageDigest: string | null;
    executor: { kind: string; jobId: string } | null;
    params: { key: string; value: string }[];
  } | null;
  datasets: {
    datasetVersionId: string | null;
    name: string;
    digest: string;
    dataset: string | null;
    number: number | null;
    manifestSha256: string | null;
    sealedAt: string | null;
    sealedBy: string | null;
    itemCount: number | null;
  }[];
  requests: {
    id: string;
    to: string;
    status: string;
    requestedBy: string;
    evaluation: {
      status: string;
      manifestSha256: string | null;
      itemCount: number | null;
      metrics: Record<string, number | null> | null;
    } | null;
    signatures: { printedName: string; username: string; role: string; meaning: string; decision: string; signedAt: string }[];
  }[];
  deployments: {
    id: string;
    site: string;
    mode: string;
    status: string;
    startedAt: string;
    endedAt: string | null;
    endedReason: string | null;
  }[];
  audit: { seq: string; hash: string; time: string; actor: string; action: string }[];
  auditTruncated: boolean;
}
