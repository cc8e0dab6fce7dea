import { expect } from 'chai';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { DataLoader, dataLoaderEntry } from '../../../src/transforms/data/DataLoader.js';
import { Dataset, datasetEntry } from '../../../src/transforms/data/Dataset.js';
import type { Sample, Transform } from '../../../src/transforms/Transform.js';
import { makeVolume, rejection, thrown } from '../volumes.js';

const context = { id: 'dataset', bundleRoot: '/', logger: silentLogger };

/** Records the order of calls and tags each sample. */
function tagging(calls: string[]): Transform {
  return {
    name: 'Tag',
    async apply(sample: Sample) {
      calls.push(String(sample.image));
      return { ...sample, seen: true };
    },
  };
}

describe('Dataset', () => {
  it('applies the transform to the item asked for, on demand', async () => {
    const calls: string[] = [];
    const ds = new Dataset({ data: [{ image: 'a.nii.gz' }, { image: 'b.nii.gz' }], transform: tagging(calls) });
    expect(ds.length).to.equal(2);
    expect(calls).to.deep.equal([]);
    expect(await ds.get(1)).to.deep.equal({ image: 'b.nii.gz', seen: true });
    expect(calls).to.deep.equal(['b.nii.gz']);
  });

  it('hands the transform a copy, so the data items stay as they were', async () => {
    const item: Sample = { image: 'a.nii.gz' };
    const mutating: Transform = { name: 'Mutating', apply: (s) => Object.assign(s, { image: 'changed' }) };
    await new Dataset({ data: [item], transform: mutating }).get(0);
    expect(item.image).to.equal('a.nii.gz');
  });

  it('returns items as they are without a transform', async () => {
    expect(await new Dataset({ data: [{ image: 'a' }] }).get(0)).to.deep.equal({ image: 'a' });
  });

  it('rejects data that is not a list of dicts, naming the item', () => {
    const e = thrown(() => datasetEntry.create({ data: [{ image: 'a' }, 'b.nii.gz'] }, context));
    expect(e.kind).to.equal('invalid_arguments');
    expect(e.message).to.contain('item 1').and.contain('b.nii.gz');
    expect(e.location).to.include({ id: 'dataset', path: '/data/1' });
    expect(thrown(() => new Dataset({ data: { image: 'a' } as unknown as Sample[] })).hint).to.contain('$[@input_dict]');
  });

  it('rejects a transform that cannot be applied', () => {
    expect(thrown(() => new Dataset({ data: [], transform: 'Compose' as unknown as Transform })).kind).to.equal('invalid_arguments');
  });

  it('can be iterated in order, like MONAI\'s Dataset', async () => {
    const seen: unknown[] = [];
    for await (const sample of new Dataset({ data: [{ image: 'a' }, { image: 'b' }], transform: tagging([]) })) seen.push(sample.image);
    expect(seen).to.deep.equal(['a', 'b']);
  });

  it('rejects an index out of range', async () => {
    const e = await rejection(new Dataset({ data: [{}] }).get(1));
    expect(e.message).to.contain('1 items');
  });
});

describe('DataLoader', () => {
  it('yields every sample in order, transforming each only when it is reached', async () => {
    const calls: string[] = [];
    const ds = new Dataset({ data: ['a', 'b', 'c'].map((image) => ({ image })), transform: tagging(calls) });
    const loader = dataLoaderEntry.create({ dataset: ds, batch_size: 1, shuffle: false, num_workers: 4 }, context) as DataLoader;
    const seen: unknown[] = [];
    for await (const sample of loader) {
      seen.push(sample.image);
      expect(calls).to.have.length(seen.length);
    }
    expect(seen).to.deep.equal(['a', 'b', 'c']);
    expect(loader.length).to.equal(3);
  });

  it('is registered under MONAI\'s names, ThreadDataLoader included', () => {
    expect(dataLoaderEntry.aliases).to.include.members(['ThreadDataLoader', 'monai.data.DataLoader', 'monai.data.ThreadDataLoader']);
  });

  it('rejects a batch size below 1, shuffling, and a dataset that is not a Dataset', () => {
    const ds = new Dataset({ data: [] });
    const batch = thrown(() => new DataLoader({ dataset: ds, batchSize: 0, id: 'dataloader' }));
    expect(batch.kind).to.equal('invalid_arguments');
    expect(batch.location).to.include({ id: 'dataloader', path: '/batch_size' });
    expect(thrown(() => new DataLoader({ dataset: ds, shuffle: true })).location.path).to.equal('/shuffle');
    expect(thrown(() => new DataLoader({ dataset: [] as unknown as Dataset })).location.path).to.equal('/dataset');
  });

  it('with batch_size B loads B items, checks they collate, then hands them on one by one (decollated)', async () => {
    const calls: string[] = [];
    const vol = (n: number) => makeVolume(new Array(n).fill(0), [1, n, 1, 1]);
    const ds = new Dataset({ data: ['a', 'b', 'c'].map((image) => ({ image })), transform: { name: 'Load', apply: async (s: Sample) => (calls.push(String(s.image)), { ...s, img: vol(2) }) } });
    const loader = new DataLoader({ dataset: ds, batchSize: 2 });
    const seen: Array<[unknown, number]> = [];
    for await (const sample of loader) seen.push([sample.image, calls.length]);
    expect(seen).to.deep.equal([['a', 2], ['b', 2], ['c', 3]]); // the batch of two is loaded before its first item goes on
    expect(loader.length).to.equal(3);
    const dropped = new DataLoader({ dataset: ds, batchSize: 2, dropLast: true });
    const kept: unknown[] = [];
    for await (const sample of dropped) kept.push(sample.image);
    expect(kept).to.deep.equal(['a', 'b']);
    expect(dropped.length).to.equal(2);
  });

  it('fails as MONAI\'s list_data_collate does when a batch\'s images differ in shape, naming the items and key', async () => {
    const ds = new Dataset({ data: [1, 2, 2].map((n) => ({ image: makeVolume(new Array(n).fill(0), [1, n, 1, 1]) })) });
    const e = await rejection((async () => {
      for await (const _ of new DataLoader({ dataset: ds, batchSize: 3, id: 'dataloader' })) void _;
    })());
    expect(e.kind).to.equal('invalid_data');
    expect(e.message).to.contain('"image"').and.contain('items 1-3').and.contain('item 2');
    expect(e.location).to.include({ id: 'dataloader', path: '/batch_size' });
    const ok: unknown[] = [];
    for await (const s of new DataLoader({ dataset: new Dataset({ data: [{ image: 'x', n: 1 }, { image: 'y', n: 2 }] }), batchSize: 2 })) ok.push(s.n);
    expect(ok).to.deep.equal([1, 2]); // plain values collate into lists: they may differ
  });

  it('passes a transform error through with its kind', async () => {
    const failing: Transform = {
      name: 'Failing',
      apply: () => {
        throw thrown(() => new DataLoader({ dataset: new Dataset({ data: [] }), batchSize: 0 }));
      },
    };
    const loader = new DataLoader({ dataset: new Dataset({ data: [{}], transform: failing }) });
    const e = await rejection((async () => {
      for await (const _ of loader) void _;
    })());
    expect(e.kind).to.equal('invalid_arguments');
  });
});
