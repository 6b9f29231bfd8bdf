/**
 * What the registry records about an ONNX model: its opset (read from the ModelProto's
 * opset_import, which onnxruntime does not expose) and its input/output signature, and whether
 * onnxruntime-node loads it and runs a smoke input (zeros of each input's shape, every dynamic
 * dimension 1).
 */
import * as ort from 'onnxruntime-node';
import type { TensorSignature } from '@caliper/domain';

export class OnnxModelError extends Error {}

/** Reads a protobuf varint at `pos`; numbers past 2^53 are not needed here (opset versions are small). */
function varint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return [value, i + 1];
  }
  throw new OnnxModelError('The file is not an ONNX model: a protobuf varint runs past its end.');
}

/** Walks one protobuf message's top-level fields: (field number, wire type, value or [start, end) of its bytes). */
function* fields(
  buf: Uint8Array,
  start = 0,
  end = buf.length,
): Generator<{ field: number; wire: number; value: number; from: number; to: number }> {
  let pos = start;
  while (pos < end) {
    const [key, next] = varint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    pos = next;
    if (wire === 0) {
      const [value, after] = varint(buf, pos);
      yield { field, wire, value, from: pos, to: after };
      pos = after;
    } else if (wire === 2) {
      const [len, after] = varint(buf, pos);
      if (after + len > end) throw new OnnxModelError('The file is not an ONNX model: a field runs past the end of the file.');
      yield { field, wire, value: len, from: after, to: after + len };
      pos = after + len;
    } else if (wire === 1 || wire === 5) {
      const width = wire === 1 ? 8 : 4;
      yield { field, wire, value: 0, from: pos, to: pos + width };
      pos += width;
    } else {
      throw new OnnxModelError(`The file is not an ONNX model: protobuf wire type ${wire} at byte ${pos}.`);
    }
  }
}

/** The default-domain ('' or 'ai.onnx') opset of a ModelProto (field 8, OperatorSetIdProto { domain = 1, version = 2 }). */
export function onnxOpset(bytes: Uint8Array): number | null {
  let opset: number | null = null;
  for (const f of fields(bytes)) {
    if (f.field !== 8 || f.wire !== 2) continue;
    let domain = '';
    let version: number | null = null;
    for (const g of fields(bytes, f.from, f.to)) {
      if (g.field === 1 && g.wire === 2) domain = Buffer.from(bytes.subarray(g.from, g.to)).toString('utf8');
      if (g.field === 2 && g.wire === 0) version = g.value;
    }
    if ((domain === '' || domain === 'ai.onnx') && version !== null) opset = version;
  }
  return opset;
}

const SMOKE_TYPES: ReadonlySet<string> = new Set([
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
]);

/**
 * n zeros of a tensor type, in the typed array onnxruntime itself builds for that type: its
 * instanceof checks then pass in any realm (under Jest a module's Float32Array is not Node's).
 */
function zeros(type: ort.Tensor.Type, n: number): ort.Tensor.DataType {
  const Ctor = (new ort.Tensor(type, [0], [1]).data as unknown as { constructor: new (length: number) => ort.Tensor.DataType }).constructor;
  return new Ctor(n);
}

/** Elements a smoke input may have (a 512×512×512 float volume is 512 MiB; past that the shape is suspect). */
const MAX_SMOKE_ELEMENTS = 128 * 1024 * 1024;

export interface OnnxInspection {
  opset: number | null;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** The outputs of the smoke run, with the concrete shapes they came out with. */
  smokeOutputs: TensorSignature[];
}

function signature(meta: readonly ort.InferenceSession.ValueMetadata[], kind: string): TensorSignature[] {
  return meta.map((m) => {
    if (!m.isTensor) throw new OnnxModelError(`The model's ${kind} ${m.name} is not a tensor (sequences and maps are not supported).`);
    return {
      name: m.name,
      dtype: m.type,
      shape: m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : typeof d === 'string' ? d : null)),
    };
  });
}

/** Loads the model and runs the smoke input; an OnnxModelError says, for a person, why it could not. */
export async function inspectOnnx(bytes: Uint8Array): Promise<OnnxInspection> {
  const opset = onnxOpset(bytes);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'basic' });
  } catch (err) {
    throw new OnnxModelError(`onnxruntime could not load the model: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    const inputs = signature(session.inputMetadata, 'input');
    const outputs = signature(session.outputMetadata, 'output');
    if (!inputs.length) throw new OnnxModelError('The model has no inputs.');
    if (!outputs.length) throw new OnnxModelError('The model has no outputs.');
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) {
      if (!SMOKE_TYPES.has(input.dtype))
        throw new OnnxModelError(`The model's input ${input.name} is ${input.dtype}, which the smoke run cannot fill.`);
      const dims = input.shape.map((d) => (typeof d === 'number' ? d : 1));
      const n = dims.reduce((a, b) => a * b, 1);
      if (n > MAX_SMOKE_ELEMENTS)
        throw new OnnxModelError(`The model's input ${input.name} [${dims.join(', ')}] has ${n} elements, more than a smoke run allows.`);
      feeds[input.name] = new ort.Tensor(input.dtype as ort.Tensor.Type, zeros(input.dtype as ort.Tensor.Type, n), dims);
    }
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await session.run(feeds);
    } catch (err) {
      throw new OnnxModelError(`The smoke run (zeros, dynamic dimensions 1) failed: ${(err as Error).message.split('\n')[0]}`);
    }
    const smokeOutputs = outputs.map((o) => {
      const t = results[o.name];
      if (!t) throw new OnnxModelError(`The smoke run gave no value for output ${o.name}.`);
      return { name: o.name, dtype: t.type, shape: [...t.dims] };
    });
    return { opset, inputs, outputs, smokeOutputs };
  } finally {
    await session.release();
  }
}
