import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { AsDiscreted, asDiscretedEntry, roundHalfEven } from '../../../src/transforms/post/AsDiscreted.js';
import { makeVolume, rejection, valuesOf } from '../volumes.js';

describe('AsDiscreted', () => {
  it('takes the argmax over channels, keeping a channel axis of 1 (MONAI example)', async () => {
    const out = (await new AsDiscreted({ keys: 'pred', argmax: true }).apply({ pred: makeVolume([0, 1, 2, 3], [2, 1, 2, 1]) })).pred as Volume;
    expect(out.shape).to.deep.equal([1, 1, 2, 1]);
    expect(valuesOf(out)).to.deep.equal([1, 1]);
    expect(out.dtype).to.equal('float32');
  });

  it('gives ties to the first channel and treats NaN as the largest value (torch.argmax)', async () => {
    const out = await new AsDiscreted({ keys: 'pred', argmax: true }).apply({ pred: makeVolume([5, 1, 5, NaN, 2, 9], [3, 2, 1, 1]) });
    expect(valuesOf(out.pred)).to.deep.equal([0, 1]);
  });

  it('thresholds with x >= t; NaN becomes 0 (MONAI example)', async () => {
    const out = await new AsDiscreted({ keys: 'pred', threshold: 0.6 }).apply({ pred: makeVolume([0, 0.5, 0.8, 3, 0.6, NaN]) });
    expect(valuesOf(out.pred)).to.deep.equal([0, 0, 1, 1, 1, 0]);
  });

  it('converts labels to one-hot channels, after argmax and before the threshold (MONAI example)', async () => {
    const out = (await new AsDiscreted({ keys: 'pred', argmax: true, toOnehot: 2, threshold: 0.5 }).apply({ pred: makeVolume([0, 1, 2, 3], [2, 1, 2, 1]) })).pred as Volume;
    expect(out.shape).to.deep.equal([2, 1, 2, 1]);
    expect(valuesOf(out)).to.deep.equal([0, 0, 1, 1]);
  });

  it('rejects a label outside 0..N-1 for to_onehot, naming the value', async () => {
    const e = await rejection(new AsDiscreted({ keys: 'label', toOnehot: 3 }).apply({ label: makeVolume([0, 3]) }));
    expect(e.kind).to.equal('invalid_data');
    expect(e.message).to.contain('value 3');
  });

  it('rounds half to even with rounding "torchrounding"', async () => {
    const out = await new AsDiscreted({ keys: 'pred', rounding: 'torchrounding' }).apply({ pred: makeVolume([0.5, 1.5, 2.5, -0.5, -1.5, 1.2]) });
    expect(valuesOf(out.pred).map((v) => v + 0)).to.deep.equal([0, 2, 2, 0, -2, 1]);
    expect(roundHalfEven(-2.5)).to.equal(-2);
  });

  it('takes per-key settings and an output dtype from a config', async () => {
    const t = asDiscretedEntry.create(
      { keys: ['pred', 'label'], argmax: [true, false], threshold: [null, 0.5], dtype: 'uint8' },
      { id: 'post', bundleRoot: '/', logger: silentLogger },
    ) as AsDiscreted;
    const out = await t.apply({ pred: makeVolume([0, 1, 2, 3], [2, 1, 2, 1]), label: makeVolume([0.2, 0.7]) });
    expect((out.pred as Volume).dtype).to.equal('uint8');
    expect(valuesOf(out.pred)).to.deep.equal([1, 1]);
    expect(valuesOf(out.label)).to.deep.equal([0, 1]);
  });
});
