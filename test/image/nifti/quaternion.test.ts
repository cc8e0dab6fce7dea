import { expect } from 'chai';
import fc from 'fast-check';
import { affineToQform, type Mat4, qformToAffine } from '../../../src/image/index.js';

/** Rotation matrix of a unit quaternion (w, x, y, z). */
function rotation(w: number, x: number, y: number, z: number): number[][] {
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

const affineArbitrary = fc
  .record({
    q: fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
    zooms: fc.tuple(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true })),
    flip: fc.boolean(),
    offset: fc.tuple(fc.double({ min: -500, max: 500, noNaN: true }), fc.double({ min: -500, max: 500, noNaN: true }), fc.double({ min: -500, max: 500, noNaN: true })),
  })
  .filter(({ q }) => Math.hypot(...q) > 0.1)
  .map(({ q, zooms, flip, offset }): Mat4 => {
    const n = Math.hypot(...q);
    const R = rotation(q[0] / n, q[1] / n, q[2] / n, q[3] / n);
    const scale = [zooms[0], zooms[1], flip ? -zooms[2] : zooms[2]];
    return [
      ...[0, 1, 2].map((r) => [R[r]![0]! * scale[0]!, R[r]![1]! * scale[1]!, R[r]![2]! * scale[2]!, offset[r]!]),
      [0, 0, 0, 1],
    ];
  });

describe('affineToQform / qformToAffine', () => {
  it('encodes any rotation-zoom-flip affine as a qform that decodes back to it', () => {
    // a is rebuilt from b, c, d (sqrt(1 - b^2 - c^2 - d^2)), which loses digits near 180 degree turns: 1e-7 relative
    fc.assert(
      fc.property(affineArbitrary, (affine) => {
        const q = affineToQform(affine);
        expect([1, -1]).to.include(q.qfac);
        const back = qformToAffine(q, 3 * Number.EPSILON);
        back.forEach((row, r) => row.forEach((v, c) => expect(v).to.be.closeTo(affine[r]![c]!, 1e-7 * 5)));
      }),
      { numRuns: 300 },
    );
  });

  it('uses qfac -1 exactly when the affine is improper (left-handed)', () => {
    const lps: Mat4 = [[-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const las: Mat4 = [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    expect(affineToQform(lps).qfac).to.equal(1);
    expect(affineToQform(las).qfac).to.equal(-1);
  });

  it('strips shear: a sheared affine gets the nearest rotation, keeping column norms as zooms', () => {
    const sheared: Mat4 = [[2, 0.2, 0, 1], [0, 2, 0, 2], [0, 0, 2, 3], [0, 0, 0, 1]];
    const q = affineToQform(sheared);
    expect(q.zooms[1]).to.be.closeTo(Math.hypot(0.2, 2), 1e-12);
    const back = qformToAffine(q, 3 * Number.EPSILON);
    const col = (c: number): number[] => [0, 1, 2].map((r) => back[r]![c]!);
    const dot = col(0).reduce((s, v, i) => s + v * col(1)[i]!, 0);
    expect(dot).to.be.closeTo(0, 1e-12);
  });
});
