import { expect } from 'chai';
import fc from 'fast-check';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import {
  KeepLargestConnectedComponentd,
  keepLargestConnectedComponentdEntry,
} from '../../../src/transforms/post/KeepLargestConnectedComponentd.js';
import { largestComponentMask } from '../../../src/transforms/post/connectedComponents.js';
import { makeVolume, rejection, thrown, valuesOf } from '../volumes.js';

// MONAI's docstring example, a 5 x 5 slice (shape [1, 5, 5, 1])
const slice = [
  [0, 0, 1, 0, 0],
  [0, 2, 1, 1, 1],
  [1, 2, 1, 0, 0],
  [1, 2, 0, 1, 0],
  [2, 2, 0, 0, 2],
];
const image = () => makeVolume(slice.flat(), [1, 5, 5, 1]);
const rows = (v: unknown) => {
  const values = valuesOf(v);
  return [0, 1, 2, 3, 4].map((r) => values.slice(r * 5, r * 5 + 5));
};

async function run(options: Partial<ConstructorParameters<typeof KeepLargestConnectedComponentd>[0]>, volume: Volume = image()) {
  return (await new KeepLargestConnectedComponentd({ keys: 'pred', ...options }).apply({ pred: volume })).pred as Volume;
}

describe('KeepLargestConnectedComponentd', () => {
  it('with the union of labels 1 and 2 at connectivity 1, removes what does not touch the largest blob (MONAI example)', async () => {
    expect(rows(await run({ appliedLabels: [1, 2], independent: false, connectivity: 1 }))).to.deep.equal([
      [0, 0, 1, 0, 0],
      [0, 2, 1, 1, 1],
      [1, 2, 1, 0, 0],
      [1, 2, 0, 0, 0],
      [2, 2, 0, 0, 0],
    ]);
  });

  it('with independent labels, keeps the largest component of each label (MONAI example)', async () => {
    expect(rows(await run({ appliedLabels: [1, 2], independent: true, connectivity: 1 }))).to.deep.equal([
      [0, 0, 1, 0, 0],
      [0, 2, 1, 1, 1],
      [0, 2, 1, 0, 0],
      [0, 2, 0, 0, 0],
      [2, 2, 0, 0, 0],
    ]);
  });

  it('at connectivity 2 diagonal neighbours join, so nothing is removed (MONAI example)', async () => {
    expect(rows(await run({ appliedLabels: [1, 2], independent: false, connectivity: 2 }))).to.deep.equal(slice);
  });

  it('defaults to every nonzero label and 26-connectivity', async () => {
    const out = await run({});
    // label 1: the blob at rows 0-2 (6 voxels) beats the 2-voxel one; the diagonal voxel at (3,3) joins it
    expect(rows(out)[3]).to.deep.equal([0, 2, 0, 1, 0]);
    expect(rows(out)[2]).to.deep.equal([0, 2, 1, 0, 0]);
    expect(rows(out)[4]).to.deep.equal([2, 2, 0, 0, 0]);
  });

  it('only touches the applied labels and keeps the dtype', async () => {
    const out = await run({ appliedLabels: [2], connectivity: 1 }, makeVolume(slice.flat(), [1, 5, 5, 1], 'uint8'));
    expect(out.dtype).to.equal('uint8');
    expect(rows(out)[2]).to.deep.equal([1, 2, 1, 0, 0]);
    expect(rows(out)[4]).to.deep.equal([2, 2, 0, 0, 0]);
  });

  it('on one-hot data processes each channel but the background (channels > 1 means one-hot by default)', async () => {
    const background = [0, 0, 0, 0, 0, 0];
    const ch1 = [1, 0, 1, 1, 0, 1];
    const ch2 = [1, 1, 0, 0, 0, 1];
    const out = await run({}, makeVolume([...background, ...ch1, ...ch2], [3, 1, 1, 6]));
    expect(valuesOf(out)).to.deep.equal([...background, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('on one-hot data with independent false, uses the union of the channels equal to 1', async () => {
    const ch0 = [0, 0, 0, 0, 0, 0];
    const ch1 = [1, 0, 0, 1, 1, 0];
    const ch2 = [0, 0, 1, 0, 0, 0];
    const out = await run({ independent: false, appliedLabels: [1, 2] }, makeVolume([...ch0, ...ch1, ...ch2], [3, 1, 1, 6]));
    expect(valuesOf(out)).to.deep.equal([...ch0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('rejects several channels that are declared not one-hot', async () => {
    const e = await rejection(run({ isOnehot: false }, makeVolume([0, 1, 1, 0], [2, 2, 1, 1])));
    expect(e.kind).to.equal('invalid_data');
    expect(e.message).to.contain('2 channels');
  });

  it('rejects a one-hot applied label that is not a channel', async () => {
    expect((await rejection(run({ appliedLabels: [3], isOnehot: true }, makeVolume([0, 1, 1, 0], [2, 2, 1, 1])))).kind).to.equal('invalid_data');
  });

  it('accepts a single applied label and rejects connectivity 4 when created from a config', async () => {
    const context = { id: 'postprocessing::transforms::1', bundleRoot: '/', logger: silentLogger };
    const t = keepLargestConnectedComponentdEntry.create({ keys: 'pred', applied_labels: 1, connectivity: 1 }, context) as KeepLargestConnectedComponentd;
    expect(t.appliedLabels).to.deep.equal([1]);
    const e = thrown(() => keepLargestConnectedComponentdEntry.create({ keys: 'pred', connectivity: 4 }, context));
    expect(e.kind).to.equal('invalid_arguments');
    expect(e.location.id).to.equal(context.id);
  });

  it('per label, gives the same result as labelling the whole volume (random label maps, 1 to 4 labels)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        async (spatial, connectivity, seed) => {
          let s = seed >>> 0;
          const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
          const n = spatial[0] * spatial[1] * spatial[2];
          const values = Array.from({ length: n }, () => (rand() < 0.4 ? 0 : 1 + Math.floor(rand() * 4)));
          const out = await run({ connectivity }, makeVolume(values, [1, ...spatial]));
          const expected = values.slice();
          for (const label of [1, 2, 3, 4]) {
            const mask = Uint8Array.from(values, (v) => (v === label ? 1 : 0));
            const keep = largestComponentMask(mask, spatial, connectivity);
            for (let j = 0; j < n; j++) if (mask[j] && !keep[j]) expected[j] = 0;
          }
          expect(valuesOf(out)).to.deep.equal(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('does not modify its input', async () => {
    const v = image();
    await run({ connectivity: 1 }, v);
    expect(valuesOf(v)).to.deep.equal(slice.flat());
  });
});
