// A training job for the launch tests, run by the worker's executor as the template's command:
// it takes the run-scoped token the executor passed (CALIPER_TOKEN; MLflow's client takes the
// same token as MLFLOW_TRACKING_TOKEN), logs a metric to its own run over the MLflow REST API
// (MLFLOW_TRACKING_URI, MLFLOW_RUN_ID), tries to log to another run with the same token (which
// must be refused), prints what happened, then sleeps (printing a line each second, so a test can
// watch its output arrive while it runs) and exits as told:
//   node job-script.js <exit code> <sleep seconds> <lr> [other run id]
'use strict';
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');
const [exitCode, sleepSeconds, lr, otherRun] = process.argv.slice(2);
const token = process.env.CALIPER_TOKEN;
const base = process.env.MLFLOW_TRACKING_URI;
const logMetric = (runId, value) =>
  fetch(`${base}/api/2.0/mlflow/runs/log-metric`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ run_id: runId, key: 'loss', value, timestamp: Date.now(), step: 1 }),
  });

(async () => {
  console.log(`job for run ${process.env.MLFLOW_RUN_ID} with lr ${lr}; params ${process.env.CALIPER_PARAMS}`);
  // Transfer learning: the initial weights the worker copied next to the job, with their sha256.
  const weights = process.env.CALIPER_INITIAL_WEIGHTS_DIR;
  if (weights)
    for (const e of readdirSync(weights, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())) {
      const file = path.join(e.parentPath ?? e.path, e.name);
      console.log(`weights ${path.relative(weights, file)} ${createHash('sha256').update(readFileSync(file)).digest('hex')}`);
    }
  const own = await logMetric(process.env.MLFLOW_RUN_ID, Number(lr) * 100);
  console.log(`own run: ${own.status}`);
  if (otherRun) console.log(`other run: ${(await logMetric(otherRun, 1)).status}`);
  for (let s = 1; s <= Number(sleepSeconds); s++) {
    await new Promise((r) => setTimeout(r, 1000));
    console.log(`slept ${s} of ${sleepSeconds} s`);
  }
  console.log(`last line before exit ${exitCode}`);
  process.exit(Number(exitCode));
})().catch((err) => {
  console.error(err);
  process.exit(70);
});
