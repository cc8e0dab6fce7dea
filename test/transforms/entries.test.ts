import { Ajv } from 'ajv';
import { expect } from 'chai';
import { transformEntries } from '../../src/transforms/entries.js';

describe('transformEntries', () => {
  it('has unique names and aliases', () => {
    const names = transformEntries.flatMap((e) => [e.name, ...(e.aliases ?? [])]);
    expect(new Set(names).size).to.equal(names.length);
  });

  it('has argument schemas that compile under strict ajv', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, useDefaults: true });
    for (const entry of transformEntries) {
      expect(() => ajv.compile(entry.argsSchema), entry.name).not.to.throw();
    }
  });

  it('validates MONAI-style arguments and rejects misspelled ones', () => {
    const ajv = new Ajv({ strict: true });
    const schema = (name: string) => transformEntries.find((e) => e.name === name)!.argsSchema;
    const scale = ajv.compile(schema('ScaleIntensityRanged'));
    expect(scale({ keys: 'image', a_min: -963.8, a_max: 1053.7, b_min: 0, b_max: 1, clip: true })).to.equal(true);
    expect(scale({ keys: 'image', a_min: 0, a_max: 1, clipp: true })).to.equal(false);
    expect(scale({ keys: 'image', a_max: 1 })).to.equal(false);
    const keep = ajv.compile(schema('KeepLargestConnectedComponentd'));
    expect(keep({ keys: ['pred'], applied_labels: [1, 2], connectivity: 3 })).to.equal(true);
    expect(keep({ keys: 'pred', connectivity: 4 })).to.equal(false);
    const loader = ajv.compile(schema('DataLoader'));
    expect(loader({ dataset: {}, batch_size: 1, shuffle: false, num_workers: 0 })).to.equal(true);
    expect(loader({ dataset: {}, batch_size: 2, drop_last: true })).to.equal(true);
    expect(loader({ dataset: {}, batch_size: 0 })).to.equal(false);
  });
});
