import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { NormalizeIntensityd, normalizeIntensitydEntry } from '../../../src/transforms/intensity/NormalizeIntensityd.js';
import { expectArray, isMonaiArray, monaiCases, volumeOf } from '../../helpers/monaiCases.js';
import { makeVolume, rejection, thrown, valuesOf } from '../volumes.js';

const context = { id: 'preprocessing::transforms::5', bundleRoot: '/', logger: silentLogger };

describe('NormalizeIntensityd', () => {
  it('subtracts the mean and divides by the population standard deviation', async () => {
    const out = await new NormalizeIntensityd({ keys: 'image' }).apply({ image: makeVolume([1, 3]) });
    expect(valuesOf(out.image)).to.deep.equal([-1, 1]);
  });

  it('leaves zeros at 0 and takes the statistics over non-zero voxels with nonzero', async () => {
    const out = await new NormalizeIntensityd({ keys: 'image', nonzero: true }).apply({ image: makeVolume([0, 2, 4, 0]) });
    expect(valuesOf(out.image)).to.deep.equal([0, -1, 1, 0]);
  });

  it('turns a zero divisor into 1', async () => {
    const out = await new NormalizeIntensityd({ keys: 'image' }).apply({ image: makeVolume([5, 5]) });
    expect(valuesOf(out.image)).to.deep.equal([0, 0]);
  });

  it('rejects a per-channel list without channel_wise, and a list of the wrong length', async () => {
    expect(thrown(() => new NormalizeIntensityd({ keys: 'image', subtrahend: [1, 2] })).kind).to.equal('invalid_arguments');
    const t = new NormalizeIntensityd({ keys: 'image', channelWise: true, divisor: [1, 2, 3] });
    const error = await rejection(t.apply({ image: makeVolume([1, 2], [2, 1, 1, 1]) }));
    expect(error.kind).to.equal('invalid_data');
    expect(error.message).to.contain('2 channels');
  });

  describe('against MONAI 1.5 (test/fixtures/monai/NormalizeIntensityd.json)', () => {
    for (const c of monaiCases('NormalizeIntensityd')) {
      it(`${c.name}: ${JSON.stringify(c.args)} (within 2e-6 relative: torch sums in float32)`, async () => {
        const t = normalizeIntensitydEntry.create(c.args as never, context) as NormalizeIntensityd;
        const out = (await t.apply({ image: volumeOf(c.input.image as never) })).image as Volume;
        const expected = c.output.image;
        if (!isMonaiArray(expected)) throw new Error('fixture without image output');
        expect(out.dtype).to.equal(expected.dtype);
        expectArray(out, expected, 2e-6, c.name);
      });
    }
  });
});
