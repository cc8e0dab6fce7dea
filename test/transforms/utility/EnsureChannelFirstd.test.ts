import { expect } from 'chai';
import { EnsureChannelFirstd } from '../../../src/transforms/utility/EnsureChannelFirstd.js';
import { makeVolume, rejection } from '../volumes.js';

describe('EnsureChannelFirstd', () => {
  it('passes a channel-first [C, X, Y, Z] volume through unchanged', async () => {
    const v = makeVolume([1, 2, 3, 4], [1, 2, 2, 1]);
    const out = await new EnsureChannelFirstd({ keys: 'image' }).apply({ image: v });
    expect(out.image).to.equal(v);
  });

  it('rejects a volume whose shape is not [C, X, Y, Z], naming the key and shape', async () => {
    const v = makeVolume([1, 2, 3, 4], [2, 2]);
    const e = await rejection(new EnsureChannelFirstd({ keys: 'image' }).apply({ image: v }));
    expect(e.kind).to.equal('invalid_data');
    expect(e.message).to.contain('"image"').and.contain('[2, 2]');
  });

  it('rejects a key that holds a file name instead of a loaded image', async () => {
    const e = await rejection(new EnsureChannelFirstd({ keys: 'image' }).apply({ image: 'ct.nii.gz' }));
    expect(e.kind).to.equal('invalid_data');
    expect(e.hint).to.contain('LoadImaged');
  });
});
