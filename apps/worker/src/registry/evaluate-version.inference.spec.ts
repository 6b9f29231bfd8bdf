/**
 * @jest-environment ./tools/testing/onnx-environment.js
 *
 * The evaluation's inference thread with real onnxruntime-node and tools/models/test-models: the
 * same outputs as session.run on this thread, each answer to its own request with several in
 * flight, this thread's event loop free while the model runs, load and run errors reported, and a
 * thread given back reused without its session.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { InferenceLoadError, InferenceThread } from './evaluate-version.inference';

const MODELS = path.join(__dirname, '../../../../tools/models/test-models');
const SEG256 = readFileSync(path.join(MODELS, 'seg256.onnx'));
const OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'all', enableMemPattern: false };
const PLANE = 256 * 256;

/** A batch whose values depend on `seed`, so answers to different requests differ. */
function batch(seed: number, n = 2): Float32Array {
  const out = new Float32Array(n * PLANE);
  for (let i = 0; i < out.length; i++) out[i] = ((i * 31 + seed * 977) % 1000) / 1000;
  return out;
}

/** The values' bytes, compared at once (expect's element-by-element equality takes seconds on 262,144 floats). */
const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('InferenceThread', () => {
  let thread: InferenceThread;

  beforeEach(() => {
    thread = InferenceThread.take();
  });
  afterEach(async () => {
    await thread.close();
  });

  it('gives session.run’s outputs, each to its own request, with several batches in flight', async () => {
    const model = await thread.load(new Uint8Array(SEG256), OPTIONS);
    expect(model).toEqual({ inputs: [{ name: 'image', isTensor: true, shape: ['batch', 1, 256, 256] }], outputNames: ['logits'] });
    const seeds = [1, 2, 3, 4, 5];
    const answers = await Promise.all(seeds.map((s) => thread.run('image', 'logits', batch(s), [2, 1, 256, 256])));

    const session = await ort.InferenceSession.create(SEG256, OPTIONS);
    try {
      for (const [k, s] of seeds.entries()) {
        const expected = (await session.run({ image: new ort.Tensor('float32', batch(s), [2, 1, 256, 256]) })).logits!;
        expect(answers[k]!.dims).toEqual([2, 2, 256, 256]);
        expect(bytesOf(answers[k]!.data).equals(bytesOf(expected.data as Float32Array))).toBe(true);
        expect(answers[k]!.ms).toBeGreaterThan(0);
      }
    } finally {
      await session.release();
    }
    // Different inputs give different outputs, so a mixed-up answer would have shown above.
    expect(bytesOf(answers[0]!.data).equals(bytesOf(answers[1]!.data))).toBe(false);
  });

  it('leaves this thread’s event loop free while the model runs', async () => {
    await thread.load(new Uint8Array(SEG256), OPTIONS);
    const batches = 6;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    try {
      await Promise.all(Array.from({ length: batches }, (_, s) => thread.run('image', 'logits', batch(s, 4), [4, 1, 256, 256])));
    } finally {
      clearInterval(timer);
    }
    // session.run on this thread lets a timer fire at most once between batches.
    expect(ticks).toBeGreaterThan(2 * batches);
  });

  it('reports a model onnxruntime cannot load, and a run it refuses, and keeps running after the refusal', async () => {
    const broken = InferenceThread.take();
    try {
      await expect(broken.load(readFileSync(path.join(MODELS, 'truncated.onnx')), OPTIONS)).rejects.toBeInstanceOf(InferenceLoadError);
    } finally {
      await broken.close();
    }
    await thread.load(new Uint8Array(SEG256), OPTIONS);
    await expect(thread.run('pixels', 'logits', batch(1), [2, 1, 256, 256])).rejects.toThrow("input 'image' is missing in 'feeds'.");
    await expect(thread.run('image', 'logits', batch(1), [2, 1, 128, 128])).rejects.toThrow();
    await expect(thread.run('image', 'scores', batch(1), [2, 1, 256, 256])).rejects.toThrow('the model gave no output named scores.');
    expect((await thread.run('image', 'logits', batch(1), [2, 1, 256, 256])).dims).toEqual([2, 2, 256, 256]);
  });

  it('is taken again once given back, without the session it had', async () => {
    await thread.load(new Uint8Array(SEG256), OPTIONS);
    await thread.giveBack();
    const again = InferenceThread.take();
    expect(again).toBe(thread);
    await expect(again.run('image', 'logits', batch(1), [2, 1, 256, 256])).rejects.toThrow('no model is loaded on the inference thread.');
    await again.load(new Uint8Array(SEG256), OPTIONS);
    expect((await again.run('image', 'logits', batch(1), [2, 1, 256, 256])).dims).toEqual([2, 2, 256, 256]);
    // A second thread taken meanwhile is a new one.
    const other = InferenceThread.take();
    expect(other).not.toBe(again);
    await other.close();
  });
});
