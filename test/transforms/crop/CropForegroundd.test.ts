import { expect } from 'chai';
import type { Mat4, Volume } from '../../../src/image/Volume.js';
import { cropForegrounddEntry, CropForegroundd } from '../../../src/transforms/crop/CropForegroundd.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { makeVolume, rejection, thrown } from '../volumes.js';

const context = { id: 'crop', bundleRoot: '/b', logger: silentLogger };
const affine: Mat4 = [
  [2, 0, 0, 100],
  [0, 3, 0, 200],
  [0, 0, 4, 300],
  [0, 0, 0, 1],
];

/** 8 x 6 x 5, background -1000, foreground 50 on [3..4] x [2..3] x [1..3] */
function ct(): Volume {
  const values: number[] = [];
  for (let a = 0; a < 8; a++) for (let b = 0; b < 6; b++) for (let c = 0; c < 5; c++) values.push(a >= 3 && a <= 4 && b >= 2 && b <= 3 && c >= 1 && c <= 3 ? 50 : -1000);
  return { ...makeVolume(values, [1, 8, 6, 5], 'float32'), affine };
}

const crop = (args: Record<string, unknown>) => cropForegrounddEntry.create({ keys: 'image', source_key: 'image', ...args } as never, context) as CropForegroundd;

describe('CropForegroundd', () => {
  it('crops to the foreground box, records it in the sample and moves the origin to the box start', async () => {
    const out = await crop({}).apply({ image: ct() });
    expect(out.foreground_start_coord).to.deep.equal([3, 2, 1]);
    expect(out.foreground_end_coord).to.deep.equal([5, 4, 4]);
    const v = out.image as Volume;
    expect(v.shape).to.deep.equal([1, 2, 2, 3]);
    expect([...v.data].every((x) => x === 50)).to.equal(true);
    expect(v.affine.map((r) => r[3])).to.deep.equal([106, 206, 304, 1]);
  });

  it('adds a per-axis margin and, with allow_smaller, clamps the box to the image', async () => {
    const out = await crop({ margin: [1, 3, 0], allow_smaller: true }).apply({ image: ct() });
    expect(out.foreground_start_coord).to.deep.equal([2, 0, 1]);
    expect(out.foreground_end_coord).to.deep.equal([6, 6, 4]);
    expect((out.image as Volume).shape).to.deep.equal([1, 4, 6, 3]);
  });

  it('without allow_smaller (MONAI 1.5 default) pads outside the image with 0', async () => {
    const out = await crop({ margin: [0, 3, 0] }).apply({ image: ct() });
    expect(out.foreground_start_coord).to.deep.equal([3, -1, 1]);
    expect(out.foreground_end_coord).to.deep.equal([5, 7, 4]);
    const v = out.image as Volume;
    expect(v.shape).to.deep.equal([1, 2, 8, 3]);
    // row b = 0 of the box is outside the image: zeros; b = 1 is image background
    expect([...v.data.slice(0, 3)]).to.deep.equal([0, 0, 0]);
    expect([...v.data.slice(3, 6)]).to.deep.equal([-1000, -1000, -1000]);
    expect(v.affine[1]![3]).to.equal(200 - 3);
  });

  it('grows the box symmetrically to a multiple of k_divisible', async () => {
    const out = await crop({ k_divisible: [4, 1, 2], allow_smaller: true }).apply({ image: ct() });
    expect(out.foreground_start_coord).to.deep.equal([2, 2, 1]);
    expect(out.foreground_end_coord).to.deep.equal([6, 4, 5]);
  });

  it('selects with threshold and crops every key with the box of source_key', async () => {
    const label = { ...makeVolume(new Array(240).fill(7), [1, 8, 6, 5], 'uint8'), affine };
    const t = (cropForegrounddEntry.create({ keys: ['image', 'label'], source_key: 'image', threshold: 60 } as never, context) as CropForegroundd);
    await rejection(t.apply({ image: ct(), label })).then((e) => expect(e.kind).to.equal('invalid_data'));
    const out = await (cropForegrounddEntry.create({ keys: ['image', 'label'], source_key: 'image', threshold: -1000 } as never, context) as CropForegroundd).apply({ image: ct(), label });
    expect((out.label as Volume).shape).to.deep.equal([1, 2, 2, 3]);
    expect((out.label as Volume).dtype).to.equal('uint8');
  });

  it('raises invalid_data naming the key and threshold when nothing is foreground', async () => {
    const e = await rejection(crop({}).apply({ image: makeVolume(new Array(8).fill(-5), [1, 2, 2, 2]) }));
    expect(e.kind).to.equal('invalid_data');
    expect(e.message).to.contain('"image"').and.contain('0');
  });

  it('inverts by padding back with 0 to the original shape and affine', async () => {
    const t = crop({ margin: 1 });
    const forward = await t.apply({ image: ct() });
    const back = t.inverse(forward).image as Volume;
    expect(back.shape).to.deep.equal([1, 8, 6, 5]);
    expect(back.affine).to.deep.equal(affine);
    const original = ct().data;
    for (let i = 0; i < original.length; i++) {
      const a = Math.floor(i / 30);
      const b = Math.floor(i / 5) % 6;
      const c = i % 5;
      const inside = a >= 2 && a <= 5 && b >= 1 && b <= 4 && c >= 0 && c <= 4;
      expect(back.data[i]).to.equal(inside ? original[i] : 0);
    }
  });

  it('rejects select_fn and negative margins with invalid_arguments', () => {
    expect(thrown(() => crop({ select_fn: '$lambda x: x > 1' })).location.path).to.equal('/select_fn');
    expect(thrown(() => crop({ margin: -1 })).kind).to.equal('invalid_arguments');
  });
});
