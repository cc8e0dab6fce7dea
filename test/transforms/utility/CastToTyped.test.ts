import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { CastToTyped, castToTypedEntry } from '../../../src/transforms/utility/CastToTyped.js';
import { makeVolume, thrown, valuesOf } from '../volumes.js';

const context = { id: 'preprocessing::transforms::7', bundleRoot: '/b', logger: silentLogger };

describe('CastToTyped', () => {
  it('casts to float32 by default', async () => {
    const out = await new CastToTyped({ keys: 'image' }).apply({ image: makeVolume([1, -2], undefined, 'int16') });
    expect((out.image as Volume).dtype).to.equal('float32');
    expect((out.image as Volume).data).to.be.instanceOf(Float32Array);
    expect(valuesOf(out.image)).to.deep.equal([1, -2]);
  });

  it('accepts MONAI dtype spellings through its entry and one dtype per key', async () => {
    const t = castToTypedEntry.create({ keys: ['image', 'label'], dtype: ['torch.float32', 'np.uint8'] }, context) as CastToTyped;
    const out = await t.apply({ image: makeVolume([1.5], undefined, 'float64'), label: makeVolume([2.7]) });
    expect((out.image as Volume).dtype).to.equal('float32');
    expect((out.label as Volume).dtype).to.equal('uint8');
    expect(valuesOf(out.label)).to.deep.equal([2]);
  });

  it('keeps shape, affine, meta and applied operations', async () => {
    const v = makeVolume([1, 2, 3, 4], [1, 2, 2, 1]);
    v.appliedOperations.push({ transform: 'Spacingd', info: {} });
    const out = (await new CastToTyped({ keys: 'image', dtype: 'int16' }).apply({ image: v })).image as Volume;
    expect(out.shape).to.deep.equal([1, 2, 2, 1]);
    expect(out.affine).to.deep.equal(v.affine);
    expect(out.meta.filename).to.equal('/data/ct.nii.gz');
    expect(out.appliedOperations).to.have.length(1);
  });

  it('rejects a dtype list whose length differs from the keys', () => {
    const e = thrown(() => new CastToTyped({ keys: ['a', 'b', 'c'], dtype: ['uint8', 'int16'] }));
    expect(e.kind).to.equal('invalid_arguments');
    expect(e.message).to.contain('"dtype"');
  });

  it('rejects an unknown dtype name when created from a config', () => {
    const e = thrown(() => castToTypedEntry.create({ keys: 'image', dtype: 'float33' }, context));
    expect(e.kind).to.equal('invalid_arguments');
    expect(e.location.id).to.equal(context.id);
  });
});
