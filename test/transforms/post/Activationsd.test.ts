import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { Activationsd } from '../../../src/transforms/post/Activationsd.js';
import { makeVolume, thrown, valuesOf } from '../volumes.js';

describe('Activationsd', () => {
  it('applies the sigmoid to each voxel', async () => {
    const out = await new Activationsd({ keys: 'pred', sigmoid: true }).apply({ pred: makeVolume([0, 2, -2]) });
    expect(valuesOf(out.pred)).to.deep.equal([0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2))].map(Math.fround));
  });

  it('applies softmax over the channels of each voxel', async () => {
    // two channels, two voxels: voxel 0 has logits (0, ln 3), voxel 1 has (1000, 1000)
    const out = await new Activationsd({ keys: 'pred', softmax: true }).apply({ pred: makeVolume([0, 1000, Math.log(3), 1000], [2, 2, 1, 1]) });
    expect(valuesOf(out.pred)).to.deep.equal([0.25, 0.5, 0.75, 0.5]);
  });

  it('takes one flag per key', async () => {
    const t = new Activationsd({ keys: ['a', 'b'], sigmoid: [true, false] });
    const out = await t.apply({ a: makeVolume([0]), b: makeVolume([0]) });
    expect(valuesOf(out.a)).to.deep.equal([0.5]);
    expect(valuesOf(out.b)).to.deep.equal([0]);
  });

  it('writes float32 for integer inputs', async () => {
    const out = (await new Activationsd({ keys: 'pred', sigmoid: true }).apply({ pred: makeVolume([0], undefined, 'int16') })).pred as Volume;
    expect(out.dtype).to.equal('float32');
  });

  it('rejects sigmoid and softmax together', () => {
    expect(thrown(() => new Activationsd({ keys: 'pred', sigmoid: true, softmax: true })).kind).to.equal('invalid_arguments');
  });
});
