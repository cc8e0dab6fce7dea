import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { EnsureTyped, ensureTypedEntry } from '../../../src/transforms/utility/EnsureTyped.js';
import { makeVolume, rejection, valuesOf } from '../volumes.js';

const context = { id: 'preprocessing::transforms::2', bundleRoot: '/b', logger: silentLogger };

describe('EnsureTyped', () => {
  it('keeps a volume and its dtype when no dtype is given (device and track_meta have no effect)', async () => {
    const v = makeVolume([1, 2], undefined, 'int16');
    const t = ensureTypedEntry.create({ keys: 'image', device: 'cuda:0', track_meta: true }, context) as EnsureTyped;
    const out = await t.apply({ image: v });
    expect(out.image).to.equal(v);
  });

  it('casts volumes to the dtype given', async () => {
    const out = await new EnsureTyped({ keys: 'image', dtype: 'float32' }).apply({ image: makeVolume([3], undefined, 'uint8') });
    expect((out.image as Volume).dtype).to.equal('float32');
    expect(valuesOf(out.image)).to.deep.equal([3]);
  });

  it('passes values that are not volumes (prompt lists, numbers) through unchanged', async () => {
    const out = await new EnsureTyped({ keys: ['label_prompt', 'points'], dtype: 'float32' }).apply({ label_prompt: [1, 26], points: [[1, 2, 3]] });
    expect(out.label_prompt).to.deep.equal([1, 26]);
    expect(out.points).to.deep.equal([[1, 2, 3]]);
  });

  it('still reports a missing key', async () => {
    expect((await rejection(new EnsureTyped({ keys: 'image' }).apply({ img: 1 }))).kind).to.equal('missing_key');
  });
});
