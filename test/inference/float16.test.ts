import { expect } from 'chai';
import fc from 'fast-check';
import { float16ToFloat32, float32ToFloat16, fromFloat16Bits, toFloat16Bits } from '../../src/inference/float16.js';

describe('inference/float16', () => {
  it('encodes known values to their IEEE half bit patterns', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to Infinity
      [Infinity, 0x7c00],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // a tie, rounds to even (zero)
      [1 + 2 ** -11, 0x3c00], // a tie between 1 and 1+2^-10, rounds to even
      [1 + 3 * 2 ** -11, 0x3c02],
    ];
    for (const [value, bits] of cases) expect(toFloat16Bits(value), String(value)).to.equal(bits);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).to.equal(true);
  });

  it('every half value survives half -> float32 -> half', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00 && bits & 0x3ff) continue; // NaN payloads
      expect(toFloat16Bits(fromFloat16Bits(bits))).to.equal(bits);
    }
  });

  it('rounds float32 to the nearest half (error at most half a half-ulp)', () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (v) => {
        const back = float16ToFloat32(float32ToFloat16(Float32Array.of(v)))[0];
        const ulp = 2 ** (Math.max(Math.floor(Math.log2(Math.abs(v) || 2 ** -24)), -14) - 10);
        expect(Math.abs(back - v)).to.be.at.most(ulp / 2 + 1e-12);
      }),
    );
  });
});
