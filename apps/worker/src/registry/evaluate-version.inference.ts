/**
 * An onnxruntime session on its own thread, for the evaluation gate: the job reads, hashes, decodes
 * and scores slices on its event loop while the model runs on another core (session.run holds the
 * loop of the thread it runs on; see evaluate-version.inference-thread.ts). Batches go in as
 * Float32Arrays and are transferred, not copied; results come back the same way, with the time
 * the thread spent running each batch. Several batches may be in flight; each answer is matched
 * to its request.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';

/** A model input as the job checks it (onnxruntime's metadata, cloneable). */
export interface ThreadInput {
  name: string;
  isTensor: boolean;
  shape: (number | string)[];
}

export type InferenceRequest =
  | { type: 'load'; model: Uint8Array; options: InferenceSession.SessionOptions }
  | { type: 'run'; id: number; input: string; output: string; data: Float32Array; dims: number[] }
  | { type: 'unload' }
  | { type: 'close' };

export type InferenceReply =
  | { type: 'ready'; inputs: ThreadInput[]; outputNames: string[] }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; data: Float32Array; dims: number[]; ms: number }
  | { type: 'error'; id: number; message: string };

/** A batch's output and the milliseconds the thread spent in session.run for it. */
export interface InferenceResult {
  data: Float32Array;
  dims: number[];
  ms: number;
}

/** The model's inputs and outputs, as the session reads them. */
export interface LoadedModel {
  inputs: ThreadInput[];
  outputNames: string[];
}

/** The session could not be created (the message is onnxruntime's). */
export class InferenceLoadError extends Error {}

const ENTRY = 'evaluate-version.inference-thread';
/**
 * Threads given back after an evaluation, booted and without a session, for the next one: a new
 * thread costs ~0.1 s to start from the built output and ~0.4 s from the sources (tools/register.js
 * loads SWC in it), which an evaluation of a few seconds would otherwise pay each time.
 */
const idle: InferenceThread[] = [];
const MAX_IDLE = 1;

/**
 * The thread's entry: the built .js beside this file, or from the sources the .ts loaded through
 * tools/register.js (jest and `node -r ./tools/register.js` compile on load, a new thread does not
 * inherit jest's transform).
 */
function startThread(): Worker {
  const options = { execArgv: [] };
  const built = path.join(__dirname, `${ENTRY}.js`);
  if (path.extname(__filename) === '.js' && existsSync(built)) return new Worker(built, options);
  const source = path.join(__dirname, `${ENTRY}.ts`);
  const register = path.resolve(__dirname, '../../../../tools/register.js');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(source)});`, { ...options, eval: true });
}

export class InferenceThread {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: InferenceResult) => void; reject: (e: Error) => void }>();
  private loading: { resolve: (r: LoadedModel) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private readonly worker: Worker;

  /**
   * Starts the thread (and onnxruntime in it) at once, so that this overlaps the job's first reads;
   * `load` gives it the model.
   */
  constructor() {
    this.worker = startThread();
    this.worker.on('message', (reply: InferenceReply) => {
      if (reply.type === 'ready' || reply.type === 'failed') {
        const l = this.loading;
        this.loading = null;
        if (reply.type === 'ready') l?.resolve({ inputs: reply.inputs, outputNames: reply.outputNames });
        else l?.reject(new InferenceLoadError(reply.message));
        return;
      }
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if (reply.type === 'result') w.resolve({ data: reply.data, dims: reply.dims, ms: reply.ms });
      else w.reject(new Error(reply.message));
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.loading?.reject(this.failure);
      this.loading = null;
      for (const w of this.waiting.values()) w.reject(this.failure);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the inference thread exited (code ${code}).`)));
  }

  /**
   * A session of `model` on the thread, with its inputs and outputs once onnxruntime has loaded it;
   * InferenceLoadError when it cannot. The bytes are transferred when they fill an ArrayBuffer that
   * can be (the caller no longer reads them), copied otherwise.
   */
  load(model: Uint8Array, options: InferenceSession.SessionOptions): Promise<LoadedModel> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.loading) return Promise.reject(new Error('a model is already being loaded on this inference thread.'));
    return new Promise<LoadedModel>((resolve, reject) => {
      this.loading = { resolve, reject };
      const request: InferenceRequest = { type: 'load', model, options };
      const whole = model.byteOffset === 0 && model.byteLength === model.buffer.byteLength;
      try {
        this.worker.postMessage(request, whole ? [model.buffer as ArrayBuffer] : []);
      } catch {
        // A pooled or otherwise untransferable buffer: cloned instead.
        this.worker.postMessage(request);
      }
    });
  }

  /** One batch through the session; `data` is transferred to the thread (unusable here afterwards). */
  run(input: string, output: string, data: Float32Array, dims: number[]): Promise<InferenceResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<InferenceResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: InferenceRequest = { type: 'run', id, input, output, data, dims };
      this.worker.postMessage(request, [data.buffer as ArrayBuffer]);
    });
  }

  /** An idle thread from an earlier evaluation, or a new one. */
  static take(): InferenceThread {
    for (let t = idle.pop(); t; t = idle.pop())
      if (!t.failure) {
        t.worker.ref();
        return t;
      }
    return new InferenceThread();
  }

  /**
   * Releases the session and keeps the thread for the next evaluation (unreferenced: it does not
   * keep the process alive), or ends it when enough are kept or it cannot be reused.
   */
  async giveBack(): Promise<void> {
    if (this.failure || this.waiting.size || this.loading || idle.length >= MAX_IDLE) return this.close();
    this.worker.postMessage({ type: 'unload' } satisfies InferenceRequest);
    this.worker.unref();
    idle.push(this);
  }

  /** Releases the session and ends the thread (at once, when runs or a load are still pending). */
  async close(): Promise<void> {
    if (this.failure) return;
    if (this.waiting.size || this.loading) {
      await this.worker.terminate();
      return;
    }
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage({ type: 'close' } satisfies InferenceRequest);
    await exited;
  }
}
