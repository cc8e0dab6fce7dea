import { expect } from 'chai';
import { indexToWorld } from '../../../src/image/geometry.js';
import type { Mat4, Volume } from '../../../src/image/Volume.js';
import { orientationdEntry, Orientationd } from '../../../src/transforms/spatial/Orientationd.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { makeVolume, thrown } from '../volumes.js';

const context = { id: 'orient', bundleRoot: '/b', logger: silentLogger };
const lps: Mat4 = [
  [-0.8, 0, 0, 10],
  [0, -0.8, 0, 20],
  [0, 0, 2.5, -30],
  [0, 0, 0, 1],
];

describe('Orientationd', () => {
  it('flips an LPS image to RAS: exact values, origin moved to the far corner, dtype kept', async () => {
    const values = Array.from({ length: 3 * 2 * 2 }, (_, i) => i);
    const v = { ...makeVolume(values, [1, 3, 2, 2], 'int16'), affine: lps };
    const out = (await new Orientationd({ keys: 'image', axcodes: 'RAS' }).apply({ image: v })).image as Volume;
    expect(out.dtype).to.equal('int16');
    expect(out.shape).to.deep.equal([1, 3, 2, 2]);
    // old origin + A[:, axis] * (n - 1) for each flipped axis
    expect(out.affine).to.deep.equal([
      [0.8, 0, 0, 10 - 0.8 * 2],
      [0, 0.8, 0, 20 - 0.8 * 1],
      [0, 0, 2.5, -30],
      [0, 0, 0, 1],
    ]);
    // out[a, b, c] = in[2 - a, 1 - b, c]
    expect([...out.data]).to.deep.equal([10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1]);
    expect(indexToWorld(out.affine, [0, 0, 1])).to.deep.equal(indexToWorld(lps, [2, 1, 1]));
  });

  it('transposes a permuted-axis (PSR) image to RAS, keeping every world position', async () => {
    const affine: Mat4 = [
      [0, 0, 2, 1],
      [-1, 0, 0, 2],
      [0, 3, 0, 3],
      [0, 0, 0, 1],
    ];
    const v = { ...makeVolume(Array.from({ length: 24 }, (_, i) => i), [1, 2, 3, 4]), affine };
    const out = (await new Orientationd({ keys: 'image', axcodes: 'RAS' }).apply({ image: v })).image as Volume;
    expect(out.shape).to.deep.equal([1, 4, 2, 3]);
    for (let a = 0; a < 4; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < 3; c++) {
      const value = out.data[(a * 2 + b) * 3 + c]!;
      const src = [Math.floor(value / 12), Math.floor(value / 4) % 3, value % 4];
      expect(indexToWorld(out.affine, [a, b, c])).to.deep.equal(indexToWorld(affine, src));
    }
  });

  it('leaves a RAS image untouched (same data) but still records the operation', async () => {
    const v = makeVolume([1, 2, 3]);
    const out = (await new Orientationd({ keys: 'image', axcodes: 'RAS' }).apply({ image: v })).image as Volume;
    expect(out.data).to.equal(v.data);
    expect(out.appliedOperations.map((o) => o.transform)).to.deep.equal(['Orientationd']);
  });

  it('inverts back to the original orientation: data and affine exact', async () => {
    const values = Array.from({ length: 24 }, (_, i) => i * 1.5);
    const v = { ...makeVolume(values, [1, 2, 3, 4]), affine: lps };
    const t = (orientationdEntry.create({ keys: 'image', axcodes: 'SAL' } as never, context) as Orientationd);
    const forward = await t.apply({ image: v });
    expect(forward.image).to.have.nested.property('shape').that.deep.equals([1, 4, 3, 2]);
    const back = t.inverse(forward).image as Volume;
    expect(back.affine).to.deep.equal(lps);
    expect([...back.data]).to.deep.equal(values);
    expect(back.appliedOperations).to.deep.equal([]);
  });

  it('honours custom labels and as_closest_canonical', async () => {
    const v = { ...makeVolume([0, 1], [1, 2, 1, 1]), affine: lps };
    const canonical = (await (orientationdEntry.create({ keys: 'image', as_closest_canonical: true } as never, context) as Orientationd).apply({ image: v })).image as Volume;
    expect(canonical.affine[0]![0]).to.equal(0.8);
    const labels = [['R', 'L'], ['A', 'P'], ['I', 'S']];
    const custom = (await (orientationdEntry.create({ keys: 'image', axcodes: 'LPS', labels } as never, context) as Orientationd).apply({ image: v })).image as Volume;
    expect(custom.affine[0]![0]).to.equal(0.8); // "L" is now the high end of x
  });

  it('rejects bad axcodes with invalid_arguments', () => {
    expect(thrown(() => (orientationdEntry.create({ keys: 'image', axcodes: 'RAX' } as never, context) as Orientationd)).kind).to.equal('invalid_arguments');
    expect(thrown(() => (orientationdEntry.create({ keys: 'image', axcodes: 'RA' } as never, context) as Orientationd)).kind).to.equal('invalid_arguments');
    expect(thrown(() => (orientationdEntry.create({ keys: 'image' } as never, context) as Orientationd)).kind).to.equal('invalid_arguments');
  });
});
