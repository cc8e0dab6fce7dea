import { expect } from 'chai';
import type { Volume } from '../../src/image/Volume.js';
import { MapTransform, mapTransformSchema, normalizeKeys, perKey } from '../../src/transforms/MapTransform.js';
import type { Sample } from '../../src/transforms/Transform.js';
import { makeVolume, rejection as rejected, thrown as caught } from './volumes.js';

class Negated extends MapTransform {
  readonly name = 'Negated';
  protected override transformVolume(volume: Volume): Volume {
    return { ...volume, data: Float32Array.from(volume.data, (v) => -v) };
  }
}

const volume = (values: number[]) => makeVolume(values);

describe('MapTransform', () => {
  it('accepts keys as one string or a list and transforms each listed key only', async () => {
    const sample: Sample = { image: volume([1, 2]), label: volume([3]), other: 'x' };
    const one = await new Negated({ keys: 'image' }).apply(sample);
    expect(Array.from((one.image as Volume).data)).to.deep.equal([-1, -2]);
    expect(one.label).to.equal(sample.label);
    const both = await new Negated({ keys: ['image', 'label'] }).apply(sample);
    expect(Array.from((both.label as Volume).data)).to.deep.equal([-3]);
    expect(both.other).to.equal('x');
  });

  it('does not modify the input sample', async () => {
    const sample: Sample = { image: volume([5]) };
    const before = sample.image;
    await new Negated({ keys: 'image' }).apply(sample);
    expect(sample.image).to.equal(before);
    expect(Array.from((before as Volume).data)).to.deep.equal([5]);
  });

  it('reports a missing key as missing_key, naming the keys that exist and the closest one', async () => {
    const e = await rejected(new Negated({ keys: ['image', 'lable'], id: 'preprocessing::transforms::2' }).apply({ image: volume([1]), label: volume([1]) }));
    expect(e.kind).to.equal('missing_key');
    expect(e.message).to.contain('"lable"').and.contain('"image", "label"');
    expect(e.candidates).to.deep.equal(['label']);
    expect(e.location.id).to.equal('preprocessing::transforms::2');
  });

  it('skips missing keys when allow_missing_keys is set', async () => {
    const out = await new Negated({ keys: ['image', 'label'], allowMissingKeys: true }).apply({ image: volume([2]) });
    expect(Array.from((out.image as Volume).data)).to.deep.equal([-2]);
    expect('label' in out).to.equal(false);
  });

  it('rejects a key holding something that is not a volume with invalid_data', async () => {
    const e = await rejected(new Negated({ keys: 'image' }).apply({ image: 'ct.nii.gz' }));
    expect(e.kind).to.equal('invalid_data');
    expect(e.message).to.contain('"image"').and.contain('string');
  });

  it('rejects an empty key list', () => {
    expect(caught(() => normalizeKeys([], 'Negated')).kind).to.equal('invalid_arguments');
  });

  it('perKey repeats a single value for every key and checks list lengths', () => {
    expect(perKey('nearest', ['a', 'b'], 'mode', 'T')).to.deep.equal(['nearest', 'nearest']);
    expect(perKey(['bilinear', 'nearest'], ['a', 'b'], 'mode', 'T')).to.deep.equal(['bilinear', 'nearest']);
    expect(caught(() => perKey(['a', 'b', 'c'], ['a', 'b'], 'mode', 'T')).kind).to.equal('invalid_arguments');
  });

  it('mapTransformSchema requires keys and rejects unknown arguments', () => {
    const schema = mapTransformSchema({ clip: { type: 'boolean' } }) as { required: string[]; additionalProperties: boolean; properties: object };
    expect(schema.required).to.deep.equal(['keys']);
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties).to.have.keys('keys', 'allow_missing_keys', 'clip');
  });
});
