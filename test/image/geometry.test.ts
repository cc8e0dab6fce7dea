import { expect } from 'chai';
import fc from 'fast-check';
import {
  affineFrom,
  choleskyUpper,
  directionOf,
  indexToWorld,
  invert,
  multiply,
  originOf,
  polarOrthogonal,
  spacingOf,
  transpose,
  worldToIndex,
} from '../../src/image/geometry.js';
import { identity4 } from '../../src/image/Volume.js';

const close = (a: number[][] | number[], b: number[][] | number[], tol = 1e-9) =>
  (a.flat(1) as number[]).forEach((v, i) => expect(v).to.be.closeTo((b.flat(1) as number[])[i]!, tol));

const rotationZ = (t: number) => [
  [Math.cos(t), -Math.sin(t), 0],
  [Math.sin(t), Math.cos(t), 0],
  [0, 0, 1],
];

describe('image/geometry', () => {
  describe('spacingOf / originOf / directionOf / affineFrom', () => {
    it('splits an LPS affine into spacing, origin and unit direction columns', () => {
      const affine = [
        [-0.8, 0, 0, 10],
        [0, -0.8, 0, 20],
        [0, 0, 2.5, -30],
        [0, 0, 0, 1],
      ];
      expect(spacingOf(affine)).to.deep.equal([0.8, 0.8, 2.5]);
      expect(originOf(affine)).to.deep.equal([10, 20, -30]);
      expect(directionOf(affine)).to.deep.equal([
        [-1, 0, 0],
        [0, -1, 0],
        [0, 0, 1],
      ]);
      close(affineFrom({ spacing: spacingOf(affine), origin: originOf(affine), direction: directionOf(affine) }), affine, 0);
    });

    it('gives a zero-length axis spacing 1, as MONAI affine_to_spacing does', () => {
      const affine = [
        [2, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 3, 0],
        [0, 0, 0, 1],
      ];
      expect(spacingOf(affine)).to.deep.equal([2, 1, 3]);
    });
  });

  describe('invert', () => {
    it('inverts an oblique affine', () => {
      const affine = affineFrom({ spacing: [0.7, 1.2, 3], origin: [5, -6, 7], direction: rotationZ(0.3) });
      close(multiply(affine, invert(affine)), identity4(), 1e-12);
    });

    it('refuses a singular affine with invalid_data', () => {
      expect(() => invert([[1, 0, 0, 0], [2, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])).to.throw().with.property('kind', 'invalid_data');
    });
  });

  describe('indexToWorld / worldToIndex', () => {
    it('index -> world -> index is the identity for any invertible affine (property)', () => {
      fc.assert(
        fc.property(
          fc.tuple(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true })),
          fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
          fc.tuple(fc.integer({ min: -300, max: 300 }), fc.integer({ min: -300, max: 300 }), fc.integer({ min: 0, max: 500 })),
          (spacing, angle, index) => {
            const affine = affineFrom({ spacing, origin: [-100, 50, 3], direction: rotationZ(angle) });
            const back = worldToIndex(affine, indexToWorld(affine, index));
            back.forEach((v, i) => expect(v).to.be.closeTo(index[i]!, 1e-8));
          },
        ),
      );
    });

    it('puts voxel (0,0,0) at the origin and moves one spacing per index step along the direction', () => {
      const affine = [
        [-2, 0, 0, 10],
        [0, 3, 0, 20],
        [0, 0, 4, 30],
        [0, 0, 0, 1],
      ];
      expect(indexToWorld(affine, [0, 0, 0])).to.deep.equal([10, 20, 30]);
      expect(indexToWorld(affine, [1, 1, 1])).to.deep.equal([8, 23, 34]);
    });
  });

  describe('choleskyUpper / polarOrthogonal', () => {
    it('choleskyUpper gives U with U^T U = m and a positive diagonal', () => {
      const a = [
        [2, 0.5, 0],
        [0, 1, 0.3],
        [0.1, 0, 3],
      ];
      const m = multiply(transpose(a), a);
      const u = choleskyUpper(m);
      close(multiply(transpose(u), u), m, 1e-12);
      [0, 1, 2].forEach((i) => expect(u[i]![i]!).to.be.greaterThan(0));
      expect(u[1]![0]).to.equal(0);
    });

    it('polarOrthogonal removes zoom and shear and keeps rotation and flips', () => {
      const r = rotationZ(0.4).map((row) => row.map((v, j) => (j === 2 ? -v : v)));
      const sheared = multiply(r, [
        [1, 0.05, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]);
      const q = polarOrthogonal(sheared);
      close(multiply(transpose(q), q), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 1e-12);
      close(polarOrthogonal(r), r, 1e-12);
    });
  });
});
