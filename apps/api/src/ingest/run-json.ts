/** The native API's JSON shape of a run. */
import type { RunView } from '../tracking/tracking.service';
import { jsonNumber } from './native-input';

export function runJson(v: RunView, parentUuids: Map<string, string>) {
  const r = v.run;
  return {
    id: r.uuid,
    name: r.name,
    status: r.status,
    lifecycleStage: r.lifecycleStage,
    experiment: { id: v.experiment.id, name: v.experiment.name },
    projectId: r.projectId,
    startTime: r.startTime,
    endTime: r.endTime,
    heartbeatAt: r.heartbeatAt?.toISOString() ?? null,
    artifactUri: r.artifactUri,
    parentRunId: r.parentRunId ? (parentUuids.get(r.parentRunId) ?? null) : null,
    gitCommit: r.gitCommit,
    gitRepo: r.gitRepo,
    imageDigest: r.imageDigest,
    params: Object.fromEntries(v.params.map((p) => [p.key, p.value])),
    tags: Object.fromEntries(v.tags.map((t) => [t.key, t.value])),
    latestMetrics: v.latestMetrics.map((m) => ({ key: m.key, value: jsonNumber(m.value), step: m.step, timestamp: m.timestamp })),
    inputs: v.inputs.map((i) => ({ kind: i.kind, name: i.name, digest: i.digest })),
  };
}
