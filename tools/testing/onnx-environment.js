/**
 * Jest's node environment with the host's typed-array classes: onnxruntime-node's native code
 * answers with typed arrays made in Node's own realm, and onnxruntime-common (loaded inside the test
 * context) checks them with instanceof against the context's classes, so every session.run fails
 * under the plain environment. Tests that run ONNX models name this file in a
 * `@jest-environment` docblock; no other test changes.
 */
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
