import { expect } from 'chai';
import fc from 'fast-check';
import { affineFrom, indexToWorld, multiply } from '../../src/image/geometry.js';
import {
  affineToAxcodes,
  axcodesToOrnt,
  invOrntAffine,
  ioOrientation,
  orntToAxcodes,
  orntTransform,
  reorientData,
} from '../../src/image/orientation.js';
import type { Mat4 } from '../../src/image/Volume.js';

const diag = (x: number, y: number, z: number, origin = [0, 0, 0]): Mat4 => [
  [x, 0, 0, origin[0]!],
  [0, y, 0, origin[1]!],
  [0, 0, z, origin[2]!],
  [0, 0, 0, 1],
];

/** every permutation of 3 world axes times every sign combination: the 48 axis codes */
const ALL_AXCODES: string[] = [];
for (const p of [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]) {
  for (let signs = 0; signs < 8; signs++) {
    ALL_AXCODES.push(p.map((axis, i) => [['L', 'R'], ['P', 'A'], ['I', 'S']][axis]![(signs >> i) & 1]).join(''));
  }
}

describe('image/orientation', () => {
  describe('axcodesToOrnt / orntToAxcodes', () => {
    it('maps RAS, LPS and ASR to world axes and directions', () => {
      expect(axcodesToOrnt('RAS')).to.deep.equal([[0, 1], [1, 1], [2, 1]]);
      expect(axcodesToOrnt('LPS')).to.deep.equal([[0, -1], [1, -1], [2, 1]]);
      expect(axcodesToOrnt('ASR')).to.deep.equal([[1, 1], [2, 1], [0, 1]]);
      for (const code of ALL_AXCODES) expect(orntToAxcodes(axcodesToOrnt(code))).to.equal(code);
    });

    it('rejects unknown letters and repeated world axes with invalid_arguments', () => {
      expect(() => axcodesToOrnt('RAX')).to.throw(/"X"/).with.property('kind', 'invalid_arguments');
      expect(() => axcodesToOrnt('RLS')).to.throw(/same world axis/).with.property('kind', 'invalid_arguments');
    });
  });

  describe('ioOrientation / affineToAxcodes', () => {
    it('reads RAS, LPS, LAS and permuted-axis affines', () => {
      expect(affineToAxcodes(diag(1, 1, 1))).to.equal('RAS');
      expect(affineToAxcodes(diag(-0.8, -0.8, 2.5))).to.equal('LPS');
      expect(affineToAxcodes(diag(-1, 2, 3))).to.equal('LAS');
      const permuted: Mat4 = [
        [0, 0, 2, 0],
        [-1, 0, 0, 0],
        [0, 3, 0, 0],
        [0, 0, 0, 1],
      ];
      expect(affineToAxcodes(permuted)).to.equal('PSR');
    });

    it('takes the dominant world axis of an oblique affine (20 degrees about z)', () => {
      const t = (20 * Math.PI) / 180;
      const affine = affineFrom({ spacing: [1, 1, 1], origin: [0, 0, 0], direction: [[Math.cos(t), -Math.sin(t), 0], [Math.sin(t), Math.cos(t), 0], [0, 0, 1]] });
      expect(ioOrientation(affine)).to.deep.equal([[0, 1], [1, 1], [2, 1]]);
      const t2 = (70 * Math.PI) / 180;
      const affine2 = affineFrom({ spacing: [1, 1, 1], origin: [0, 0, 0], direction: [[Math.cos(t2), -Math.sin(t2), 0], [Math.sin(t2), Math.cos(t2), 0], [0, 0, 1]] });
      expect(affineToAxcodes(affine2)).to.equal('ALS');
    });
  });

  describe('orntTransform', () => {
    it('gives the flips and transposes from LPS to RAS and from RAS to ASR', () => {
      expect(orntTransform(axcodesToOrnt('LPS'), axcodesToOrnt('RAS'))).to.deep.equal([[0, -1], [1, -1], [2, 1]]);
      expect(orntTransform(axcodesToOrnt('RAS'), axcodesToOrnt('ASR'))).to.deep.equal([[2, 1], [0, 1], [1, 1]]);
    });
  });

  describe('reorientData', () => {
    it('flips axis 0 exactly', () => {
      // [1, 2, 2, 1]: values 0..3
      const { data, shape } = reorientData(Int16Array.from([0, 1, 2, 3]), [1, 2, 2, 1], [[0, -1], [1, 1], [2, 1]]);
      expect(shape).to.deep.equal([1, 2, 2, 1]);
      expect([...data]).to.deep.equal([2, 3, 0, 1]);
      expect(data).to.be.instanceOf(Int16Array);
    });

    it('transposes axes 0 and 2 exactly, per channel', () => {
      const input = Float32Array.from({ length: 2 * 2 * 1 * 3 }, (_, i) => i);
      const { data, shape } = reorientData(input, [2, 2, 1, 3], [[2, 1], [1, 1], [0, 1]]);
      expect(shape).to.deep.equal([2, 3, 1, 2]);
      // out[c, k, 0, i] = in[c, i, 0, k]
      expect([...data]).to.deep.equal([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
    });
  });

  describe('reorienting by any axis code (property)', () => {
    it('keeps the world position and value of every voxel, and reorienting back is the identity', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...ALL_AXCODES),
          fc.constantFrom(...ALL_AXCODES),
          fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
          (fromCodes, toCodes, spatial) => {
            // an affine whose axes point as `fromCodes` says, with distinct spacings and an origin
            const from = axcodesToOrnt(fromCodes);
            const affine: Mat4 = [[0, 0, 0, 5], [0, 0, 0, -7], [0, 0, 0, 11], [0, 0, 0, 1]];
            from.forEach(([axis, flip], i) => (affine[axis]![i] = flip * [0.5, 2, 3][i]!));
            expect(affineToAxcodes(affine)).to.equal(fromCodes);
            const shape = [1, ...spatial];
            const data = Float64Array.from({ length: spatial[0] * spatial[1] * spatial[2] }, (_, i) => i);
            const ornt = orntTransform(ioOrientation(affine), axcodesToOrnt(toCodes));
            const out = reorientData(data, shape, ornt);
            const outAffine = multiply(affine, invOrntAffine(ornt, spatial));
            expect(affineToAxcodes(outAffine)).to.equal(toCodes);
            // each output voxel holds the input voxel at the same world position
            const [, ox, oy, oz] = out.shape as [number, number, number, number];
            for (let a = 0; a < ox; a++) {
              for (let b = 0; b < oy; b++) {
                for (let c = 0; c < oz; c++) {
                  const v = out.data[(a * oy + b) * oz + c]!;
                  const src = [Math.floor(v / (spatial[1] * spatial[2])), Math.floor(v / spatial[2]) % spatial[1], v % spatial[2]];
                  expect(indexToWorld(outAffine, [a, b, c])).to.deep.equal(indexToWorld(affine, src));
                }
              }
            }
            const back = reorientData(out.data, out.shape, orntTransform(ioOrientation(outAffine), ioOrientation(affine)));
            expect(back.shape).to.deep.equal(shape);
            expect([...back.data]).to.deep.equal([...data]);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
