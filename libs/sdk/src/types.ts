/** Wire shapes of the native API (/api/v1) as the SDK uses them. */
export interface KeyValue {
  key: string;
  value: string;
}

export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

/** A run as the native API returns it. */
export interface Run {
  /** The run id (32 hex characters, MLflow's run_id). */
  id: string;
  name: string;
  status: string;
  lifecycleStage: string;
  experiment: { id: string; name: string };
  projectId: string;
  startTime: number | null;
  endTime: number | null;
  heartbeatAt: string | null;
  artifactUri: string;
  parentRunId: string | null;
  gitCommit: string | null;
  gitRepo: string | null;
  imageDigest: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Values are numbers, or "NaN" / "Infinity" / "-Infinity". */
  latestMetrics: { key: string; value: number | string; step: number; timestamp: number }[];
  inputs: { kind: string; name: string; digest: string }[];
}

export interface RunSearchPage {
  runs: Run[];
  nextPageToken: string | null;
}

export type RunStatusUpdate = 'running' | 'finished' | 'failed' | 'killed';

export interface GitInfo {
  commit?: string;
  repo?: string;
}

export interface ArtifactInfo {
  path: string;
  size: number;
  sha256: string;
  [field: string]: unknown;
}

/** One entry of an artifact listing: a file, or a directory below the listed one. */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  size?: number;
  sha256?: string;
}

/** MLflow carries non-finite values as strings; JSON has no NaN or Infinity. */
export type WireMetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

export function wireValue(v: number): WireMetricValue {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}
