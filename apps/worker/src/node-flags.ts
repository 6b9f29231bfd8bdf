/**
 * The V8 flags the worker process runs with: `node --single-threaded-gc …` in its image
 * (apps/worker/Dockerfile), in `npm start` (tools/dev/launcher.ts), in the tests' worker process and
 * in bench:evaluation, which times the evaluation job as the worker runs it.
 *
 * Why: V8's parallel and concurrent garbage collection runs helper threads beside the JavaScript
 * thread. In the worker those compete for the cores with what the jobs run natively: the
 * evaluation gate's onnxruntime thread, hashing, inflating. On this 2-core machine they slowed the
 * evaluation's inference by a fifth (npm run bench:evaluation -- --slices 200 --reps 5: job 23-25 %
 * over raw session.run with them, 10-13 % without). With one thread, the collector runs on the job's
 * own thread, which spends most of an evaluation waiting for inference anyway.
 */
export const WORKER_NODE_FLAGS = ['--single-threaded-gc'] as const;

/** The flags this process was started without (empty when it has them all). */
export function missingWorkerNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return WORKER_NODE_FLAGS.filter((f) => !execArgv.includes(f));
}
