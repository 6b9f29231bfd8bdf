/**
 * The evaluation's inference thread (a worker_threads entry, started by InferenceThread in
 * evaluate-version.inference.ts). onnxruntime-node's session.run is synchronous under its promise
 * (1.30: the native run is called from a setImmediate), so on the job's own thread it held the
 * event loop for every batch and no slice was read, hashed or decoded meanwhile. Here it holds only
 * this thread's loop: requests queue in the message port and are run one after another, in order.
 *
 * It imports nothing from the workspace, so it loads the same way from the sources (through
 * tools/register.js) and from the built output.
 */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { InferenceReply, InferenceRequest, ThreadInput } from './evaluate-version.inference';

const port = parentPort;
if (!port) throw new Error('evaluate-version.inference-thread is a worker_threads entry, not a script to run.');

let session: ort.InferenceSession | null = null;
// One request at a time, in the order sent, each run timed on its own.
let queue = Promise.resolve();

async function handle(request: InferenceRequest): Promise<InferenceReply | null> {
  if (request.type === 'load') {
    try {
      session = await ort.InferenceSession.create(request.model, request.options);
    } catch (err) {
      return { type: 'failed', message: (err as Error).message };
    }
    const inputs: ThreadInput[] = session.inputMetadata.map((m) =>
      m.isTensor ? { name: m.name, isTensor: true, shape: [...m.shape] } : { name: m.name, isTensor: false, shape: [] },
    );
    return { type: 'ready', inputs, outputNames: [...session.outputNames] };
  }
  if (request.type === 'unload') {
    await session?.release();
    session = null;
    return null;
  }
  if (request.type === 'close') {
    await session?.release();
    port!.close();
    return null;
  }
  const started = performance.now();
  try {
    if (!session) throw new Error('no model is loaded on the inference thread.');
    const results = await session.run({ [request.input]: new ort.Tensor('float32', request.data, request.dims) });
    const out = results[request.output];
    if (!out) throw new Error(`the model gave no output named ${request.output}.`);
    // Transferred rather than cloned: onnxruntime's own array when it fills its buffer, else a copy.
    const got = out.data as Float32Array;
    const data = got.byteOffset === 0 && got.byteLength === got.buffer.byteLength ? got : got.slice();
    return { type: 'result', id: request.id, data, dims: [...out.dims], ms: performance.now() - started };
  } catch (err) {
    return { type: 'error', id: request.id, message: (err as Error).message };
  }
}

port.on('message', (request: InferenceRequest) => {
  queue = queue.then(async () => {
    const reply = await handle(request);
    if (!reply) return;
    if (reply.type !== 'result') return port.postMessage(reply);
    try {
      port.postMessage(reply, [reply.data.buffer as ArrayBuffer]);
    } catch {
      // A buffer that cannot be transferred (held by onnxruntime): cloned instead.
      port.postMessage(reply);
    }
  });
});
