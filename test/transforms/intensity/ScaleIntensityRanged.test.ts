import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger, type Logger } from '../../../src/registry/ComponentEntry.js';
import { ScaleIntensityRanged, scaleIntensityRangedEntry } from '../../../src/transforms/intensity/ScaleIntensityRanged.js';
import { makeVolume, valuesOf } from '../volumes.js';

const context = { id: 'preprocessing::transforms::6', bundleRoot: '/b', logger: silentLogger };
const f = Math.fround;

describe('ScaleIntensityRanged', () => {
  it('maps [a_min, a_max] linearly onto [b_min, b_max]', async () => {
    const t = new ScaleIntensityRanged({ keys: 'image', aMin: -100, aMax: 100, bMin: 0, bMax: 1 });
    const out = await t.apply({ image: makeVolume([-100, 0, 50, 100, 300], undefined, 'int16') });
    expect(valuesOf(out.image)).to.deep.equal([0, 0.5, 0.75, 1, 2]);
    expect((out.image as Volume).dtype).to.equal('float32');
  });

  it('clips to [b_min, b_max] when clip is set', async () => {
    const t = new ScaleIntensityRanged({ keys: 'image', aMin: 0, aMax: 10, bMin: -1, bMax: 1, clip: true });
    expect(valuesOf((await t.apply({ image: makeVolume([-5, 0, 5, 10, 15]) })).image)).to.deep.equal([-1, -1, 0, 1, 1]);
  });

  it('computes in float32 steps as torch does: (x - f32(a_min)) / f32(a_max - a_min)', async () => {
    const aMin = -963.8247715525971;
    const aMax = 1053.678477684517;
    const x = [-1000, -963.5, 0, 40.25, 1053, 3071];
    const t = new ScaleIntensityRanged({ keys: 'image', aMin, aMax, bMin: 0, bMax: 1, clip: true });
    const expected = x.map((v) => Math.min(1, Math.max(0, f(f(f(v) - f(aMin)) / f(aMax - aMin)))));
    expect(valuesOf((await t.apply({ image: makeVolume(x) })).image)).to.deep.equal(expected);
  });

  it('without b_min/b_max only normalises by the a range', async () => {
    const t = new ScaleIntensityRanged({ keys: 'image', aMin: 10, aMax: 20 });
    expect(valuesOf((await t.apply({ image: makeVolume([10, 15, 30]) })).image)).to.deep.equal([0, 0.5, 2]);
  });

  it('with a_min == a_max only shifts (MONAI), and warns when created from a config', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
    const t = scaleIntensityRangedEntry.create({ keys: 'image', a_min: 5, a_max: 5, b_min: 1, b_max: 2, clip: true }, { ...context, logger }) as ScaleIntensityRanged;
    expect(valuesOf((await t.apply({ image: makeVolume([5, 10]) })).image)).to.deep.equal([1, 6]);
    expect(warnings.join()).to.contain('a_min == a_max');
  });

  it('keeps NaN as NaN, even with clip', async () => {
    const t = new ScaleIntensityRanged({ keys: 'image', aMin: 0, aMax: 1, bMin: 0, bMax: 1, clip: true });
    expect(valuesOf((await t.apply({ image: makeVolume([NaN]) })).image)[0]).to.be.NaN;
  });

  it('computes float64 volumes in float64 when dtype is null, and writes the dtype asked for otherwise', async () => {
    const keep = new ScaleIntensityRanged({ keys: 'image', aMin: 0, aMax: 3, dtype: null });
    const wide = (await keep.apply({ image: makeVolume([1], undefined, 'float64') })).image as Volume;
    expect(wide.dtype).to.equal('float64');
    expect(wide.data[0]).to.equal(1 / 3);
    const t = scaleIntensityRangedEntry.create({ keys: 'image', a_min: 0, a_max: 10, b_min: 0, b_max: 255, clip: true, dtype: 'np.uint8' }, context) as ScaleIntensityRanged;
    const out = (await t.apply({ image: makeVolume([0, 5, 10]) })).image as Volume;
    expect(out.dtype).to.equal('uint8');
    expect(valuesOf(out)).to.deep.equal([0, 127, 255]);
  });

  it('does not record an applied operation and keeps the geometry', async () => {
    const v = makeVolume([1, 2, 3, 4], [1, 2, 2, 1]);
    const out = (await new ScaleIntensityRanged({ keys: 'image', aMin: 0, aMax: 4 }).apply({ image: v })).image as Volume;
    expect(out.appliedOperations).to.deep.equal([]);
    expect(out.shape).to.deep.equal([1, 2, 2, 1]);
    expect(out.affine).to.deep.equal(v.affine);
  });
});
