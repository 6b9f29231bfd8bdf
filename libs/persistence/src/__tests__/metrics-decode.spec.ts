import { comparePoints, decodePoints } from '../repositories/metrics.repository';

/** Packs points the way PostgreSQL's int8send(step) || int8send(ts) || float8send(value) does. */
function pack(points: [number, number, number][]): Buffer {
  const buf = Buffer.alloc(points.length * 24);
  points.forEach(([step, ts, value], i) => {
    buf.writeBigInt64BE(BigInt(step), i * 24);
    buf.writeBigInt64BE(BigInt(ts), i * 24 + 8);
    buf.writeDoubleBE(value, i * 24 + 16);
  });
  return buf;
}

describe('decodePoints', () => {
  it('reads negative and large int8 steps and timestamps exactly, and every float8 value including NaN and ±Infinity', () => {
    const points: [number, number, number][] = [
      [-5, 0, -1.5],
      [0, 1764000000123, NaN],
      [2 ** 40 + 3, 2 ** 52 - 1, Infinity],
      [Number.MAX_SAFE_INTEGER, 1, -Infinity],
    ];
    const out = decodePoints(pack(points));
    expect(out.steps).toEqual(points.map((p) => p[0]));
    expect(out.timestamps).toEqual(points.map((p) => p[1]));
    expect([...out.values]).toEqual(points.map((p) => p[2]));
  });

  it('answers empty arrays for a missing aggregate (no rows)', () => {
    expect(decodePoints(null)).toEqual({ steps: [], timestamps: [], values: new Float64Array(0) });
  });

  it('puts points that arrive out of order into (step, timestamp, value) order with NaN last', () => {
    const out = decodePoints(
      pack([
        [2, 0, 1],
        [1, 5, NaN],
        [1, 5, 3],
        [1, 4, 9],
      ]),
    );
    expect(out.steps).toEqual([1, 1, 1, 2]);
    expect(out.timestamps).toEqual([4, 5, 5, 0]);
    expect([...out.values]).toEqual([9, 3, NaN, 1]);
  });

  it('refuses a buffer that is not whole 24-byte records', () => {
    expect(() => decodePoints(Buffer.alloc(25))).toThrow(/not a multiple of 24/);
  });

  it('orders NaN above every number, as PostgreSQL does', () => {
    expect(comparePoints(1, 1, NaN, 1, 1, Infinity)).toBeGreaterThan(0);
    expect(comparePoints(1, 1, -Infinity, 1, 1, NaN)).toBeLessThan(0);
    expect(comparePoints(1, 1, NaN, 1, 1, NaN)).toBe(0);
    expect(comparePoints(1, 2, 0, 2, 1, 0)).toBeLessThan(0);
  });
});
