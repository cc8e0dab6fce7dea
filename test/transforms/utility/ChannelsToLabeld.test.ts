/**
 * ChannelsToLabeld against MONAI's Lambdad running the nested-torch.where lambdas it stands for
 * (test/fixtures/monai/ChannelsToLabeld.json, tools/monai/transform_references.py; NaN inputs stored as null).
 */
import { expect } from 'chai';
import { validateArgs } from '../../../src/registry/validateArgs.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import type { Volume } from '../../../src/image/Volume.js';
import { ChannelsToLabeld, channelsToLabeldEntry } from '../../../src/transforms/utility/ChannelsToLabeld.js';
import { expectArray, monaiCases, volumeOf, type MonaiArray } from '../../helpers/monaiCases.js';
import { rejection, thrown } from '../../helpers/errors.js';
import { makeVolume } from '../volumes.js';

const context = { id: 'postprocessing::transforms::3', bundleRoot: '/', logger: silentLogger };

describe('ChannelsToLabeld against MONAI\'s Lambdad (test/fixtures/monai/ChannelsToLabeld.json)', () => {
  for (const c of monaiCases('ChannelsToLabeld')) {
    it(`${c.name}: ${(c as unknown as { lambda: string }).lambda}`, async () => {
      expect(validateArgs('ChannelsToLabeld', channelsToLabeldEntry.argsSchema, c.args, context.id)).to.deep.equal([]);
      const t = await channelsToLabeldEntry.create(c.args as never, context);
      const input = c.input.pred as MonaiArray;
      const pred = volumeOf({ ...input, data: input.data.map((v) => (v === null ? Number.NaN : v)) });
      const out = (await t.apply({ pred })).pred as Volume;
      // torch.where gives int64, which a typed-array volume holds as int32 (the default dtype)
      expect((c.output.pred as MonaiArray).dtype).to.equal('int64');
      expect(out.dtype).to.equal('int32');
      expectArray(out, c.output.pred as MonaiArray, 0, 'pred');
    });
  }
});

describe('ChannelsToLabeld', () => {
  it('keeps the geometry, writes one channel and casts to dtype', async () => {
    const t = new ChannelsToLabeld({ keys: 'pred', channels: [1], labels: [3], dtype: 'uint8' });
    const pred = makeVolume([0, 1, 0, 1, 0, 1], [2, 3, 1, 1]);
    pred.affine[0]![3] = 12.5;
    const v = (await t.apply({ pred })).pred as Volume;
    expect(v.shape).to.deep.equal([1, 3, 1, 1]);
    expect(v.dtype).to.equal('uint8');
    expect(Array.from(v.data)).to.deep.equal([3, 0, 3]);
    expect(v.affine[0]![3]).to.equal(12.5);
  });

  it('names a channel the volume does not have', async () => {
    const t = new ChannelsToLabeld({ keys: 'pred', channels: [0, 3], labels: [1, 2], id: 'post::4' });
    const error = await rejection(t.apply({ pred: makeVolume([0, 1, 0, 1, 0, 1], [3, 2, 1, 1]) }));
    expect(error.kind).to.equal('invalid_data');
    expect(error.message).to.contain('3 channel(s)').and.contain('channel 3');
    expect(error.location.id).to.equal('post::4');
  });

  it('rejects rules without a label each, and unknown comparisons', () => {
    expect(thrown(() => new ChannelsToLabeld({ keys: 'pred', channels: [0, 1], labels: [1] })).location.path).to.equal('/labels');
    const unfit = thrown(() => new ChannelsToLabeld({ keys: 'pred', channels: [0, 1], labels: [2.5, 300], dtype: 'uint8' }));
    expect(unfit.message).to.contain('label 2.5, 300 does not fit dtype uint8');
    expect(new ChannelsToLabeld({ keys: 'pred', channels: [0], labels: [2.5], dtype: 'float32' }).labels).to.deep.equal([2.5]);
    expect(validateArgs('ChannelsToLabeld', channelsToLabeldEntry.argsSchema, { keys: 'pred', channels: [0], labels: [1], comparison: '=>' }, 'x')).to.have.length(1);
    expect(validateArgs('ChannelsToLabeld', channelsToLabeldEntry.argsSchema, { keys: 'pred', channels: [-1], labels: [1] }, 'x')).to.have.length(1);
  });
});
