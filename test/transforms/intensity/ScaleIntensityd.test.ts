import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { ScaleIntensityd } from '../../../src/transforms/intensity/ScaleIntensityd.js';
import { makeVolume, thrown, valuesOf } from '../volumes.js';

describe('ScaleIntensityd', () => {
  it('rescales the minimum to 0 and the maximum to 1 by default', async () => {
    const out = await new ScaleIntensityd({ keys: 'image' }).apply({ image: makeVolume([-10, 0, 30], undefined, 'int16') });
    expect(valuesOf(out.image)).to.deep.equal([0, 0.25, 1]);
    expect((out.image as Volume).dtype).to.equal('float32');
  });

  it('rescales to [minv, maxv]', async () => {
    const out = await new ScaleIntensityd({ keys: 'image', minv: -1, maxv: 1 }).apply({ image: makeVolume([2, 4, 6]) });
    expect(valuesOf(out.image)).to.deep.equal([-1, 0, 1]);
  });

  it('rescales each channel on its own when channel_wise', async () => {
    const image = makeVolume([0, 10, 100, 300], [2, 2, 1, 1]);
    expect(valuesOf((await new ScaleIntensityd({ keys: 'image', channelWise: true }).apply({ image })).image)).to.deep.equal([0, 1, 0, 1]);
    expect(valuesOf((await new ScaleIntensityd({ keys: 'image' }).apply({ image })).image)).to.deep.equal([0, 10 / 300, 100 / 300, 1].map(Math.fround));
  });

  it('turns a constant volume into value * minv, as MONAI does', async () => {
    expect(valuesOf((await new ScaleIntensityd({ keys: 'image' }).apply({ image: makeVolume([7, 7]) })).image)).to.deep.equal([0, 0]);
    expect(valuesOf((await new ScaleIntensityd({ keys: 'image', minv: 2, maxv: 3 }).apply({ image: makeVolume([7, 7]) })).image)).to.deep.equal([14, 14]);
  });

  it('gives NaN everywhere when the volume holds a NaN (torch min/max propagate it)', async () => {
    const out = valuesOf((await new ScaleIntensityd({ keys: 'image' }).apply({ image: makeVolume([0, NaN, 2]) })).image);
    expect(out.every(Number.isNaN)).to.equal(true);
  });

  it('multiplies by 1 + factor when minv and maxv are null', async () => {
    const out = await new ScaleIntensityd({ keys: 'image', minv: null, maxv: null, factor: 0.5 }).apply({ image: makeVolume([2, -4]) });
    expect(valuesOf(out.image)).to.deep.equal([3, -6]);
  });

  it('rejects minv and maxv null without a factor', () => {
    expect(thrown(() => new ScaleIntensityd({ keys: 'image', minv: null, maxv: null })).kind).to.equal('invalid_arguments');
  });
});
