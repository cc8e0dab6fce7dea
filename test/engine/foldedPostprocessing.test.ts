import { expect } from 'chai';
import { SupervisedEvaluator } from '../../src/engine/Evaluator.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { Volume } from '../../src/image/Volume.js';
import { SlidingWindowInferer } from '../../src/inference/SlidingWindowInferer.js';
import type { Predictor, Tensor } from '../../src/inference/types.js';
import { Compose } from '../../src/transforms/Compose.js';
import { Activationsd } from '../../src/transforms/post/Activationsd.js';
import { AsDiscreted } from '../../src/transforms/post/AsDiscreted.js';
import type { Sample, Transform } from '../../src/transforms/Transform.js';
import { transform, volume } from './fakes.js';

const SPATIAL = [11, 7, 6];
const K = 5;

/** K channels per window from the input, with exact ties between channels 0 and 1 where the input is negative. */
const network: Predictor = async (batch: Tensor) => {
  const [b, , ...roi] = batch.dims;
  const size = roi.reduce((a, v) => a * v, 1);
  const out = new Float32Array(b! * K * size);
  for (let n = 0; n < b!; n++) {
    for (let j = 0; j < size; j++) {
      const x = (batch.data as Float32Array)[n * size + j]!;
      for (let k = 0; k < K; k++) out[(n * K + k) * size + j] = k === 1 && x < 0 ? Math.sin(x) : Math.sin(x * (k + 1)) * (k + 1);
    }
  }
  return { type: 'float32', dims: [b!, K, ...roi], data: out };
};

function image(): Volume {
  const n = SPATIAL.reduce((a, v) => a * v, 1);
  return volume(Array.from({ length: n }, (_, i) => Math.cos(i * 0.37) * 3), SPATIAL, '/data/ct.nii.gz');
}

const inferer = () => new SlidingWindowInferer({ roiSize: [4, 4, 4], overlap: 0.5, mode: 'gaussian', swBatchSize: 3 });

interface Forward {
  folded?: string[];
  /** pred as the handlers saw it */
  pred: Volume;
}

function forwardRecorder(into: Forward[]) {
  return {
    onEvent: (e: EngineEvent) => {
      if (e.name === 'forward_completed') into.push({ ...(e.folded ? { folded: e.folded } : {}), pred: e.state.sample!.pred as Volume });
    },
  };
}

/** Runs one item; returns the post-processed pred and the forward_completed event. */
async function run(post: Transform, options: { fold?: boolean; inferer?: SlidingWindowInferer } = {}) {
  let out: Volume | undefined;
  const events: Forward[] = [];
  const capture = transform('capture', (s: Sample) => {
    out = s.pred as Volume;
    return s;
  });
  const evaluator = new SupervisedEvaluator({
    valDataLoader: [{ image: image() }],
    network,
    inferer: options.inferer ?? inferer(),
    postprocessing: new Compose([...(post instanceof Compose ? post.transforms : [post]), capture]),
    valHandlers: [forwardRecorder(events)],
    foldPostprocessing: options.fold ?? true,
  });
  await evaluator.run();
  return { pred: out!, forward: events[0]! };
}

function expectSameVolume(a: Volume, b: Volume) {
  expect(a.dtype).to.equal(b.dtype);
  expect(a.shape).to.deep.equal(b.shape);
  expect(a.data.constructor).to.equal(b.data.constructor);
  expect(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength))).to.equal(true);
  expect(a.affine).to.deep.equal(b.affine);
  expect(a.meta).to.deep.equal(b.meta);
  expect(a.appliedOperations).to.deep.equal(b.appliedOperations);
}

describe('post-processing folded into the sliding window (voxel-wise steps on pred)', () => {
  const chains: Record<string, () => Transform> = {
    'softmax then argmax': () => new Compose([new Activationsd({ keys: 'pred', softmax: true }), new AsDiscreted({ keys: 'pred', argmax: true })]),
    'sigmoid then threshold 0.5, as uint8': () =>
      new Compose([new Activationsd({ keys: 'pred', sigmoid: true }), new AsDiscreted({ keys: 'pred', threshold: 0.5, dtype: 'uint8' })]),
    'argmax then one-hot': () => new Compose([new AsDiscreted({ keys: 'pred', argmax: true, toOnehot: K })]),
    'softmax alone (all channels kept)': () => new Activationsd({ keys: 'pred', softmax: true }),
  };
  for (const [name, make] of Object.entries(chains)) {
    it(`gives the same pred as the unfolded run, bit for bit: ${name}`, async () => {
      const folded = await run(make());
      const whole = await run(make(), { fold: false });
      expect(folded.forward.folded, 'folded steps named on forward_completed').to.be.an('array').that.is.not.empty;
      expect(whole.forward.folded).to.equal(undefined);
      expectSameVolume(folded.pred, whole.pred);
    });
  }

  it('gives the same values when the inferer hands on one row per slab', async () => {
    const chain = () => new Compose([new Activationsd({ keys: 'pred', softmax: true }), new AsDiscreted({ keys: 'pred', argmax: true })]);
    const rowSize = SPATIAL[1]! * SPATIAL[2]!;
    const byRow = new SlidingWindowInferer({ ...inferer().options, maxSlabValues: K * rowSize });
    const slabs: number[] = [];
    const inferSlabs = byRow.inferSlabs.bind(byRow);
    byRow.inferSlabs = (input, net, onSlab, hooks) => inferSlabs(input, net, (slab) => (slabs.push(slab.x1 - slab.x0), onSlab(slab)), hooks);
    const folded = await run(chain(), { inferer: byRow });
    const whole = await run(chain(), { fold: false });
    expect(slabs).to.have.length(SPATIAL[0]!);
    expect(slabs.every((rows) => rows === 1)).to.equal(true);
    expectSameVolume(folded.pred, whole.pred);
  });

  it('never asks the inferer for the whole K-channel output: softmax + argmax leave one channel', async () => {
    const slabsOnly = inferer();
    slabsOnly.infer = () => Promise.reject(new Error('the whole output was requested'));
    const { pred, forward } = await run(
      new Compose([new Activationsd({ keys: 'pred', softmax: true }), new AsDiscreted({ keys: 'pred', argmax: true })]),
      { inferer: slabsOnly },
    );
    expect(forward.folded).to.deep.equal(['Activationsd', 'AsDiscreted']);
    expect(forward.pred.shape).to.deep.equal([1, ...SPATIAL]);
    expect(pred.shape).to.deep.equal([1, ...SPATIAL]);
  });

  it('folds only the leading steps on pred alone; the rest runs on the whole sample', async () => {
    let seenChannels = 0;
    const look = transform('look', (s: Sample) => {
      seenChannels = (s.pred as Volume).shape[0]!;
      return s;
    });
    const chain = new Compose([new Activationsd({ keys: 'pred', softmax: true }), look, new AsDiscreted({ keys: 'pred', argmax: true })]);
    const { pred, forward } = await run(chain);
    expect(forward.folded).to.deep.equal(['Activationsd']);
    expect(seenChannels, 'the transform after the folded one sees all channels').to.equal(K);
    expect(pred.shape[0]).to.equal(1);
  });

  it('does not fold a step that also names another key', async () => {
    const sample = { image: image(), other: image() };
    const both = new Activationsd({ keys: ['pred', 'other'], sigmoid: true });
    const evaluator = new SupervisedEvaluator({ valDataLoader: [sample], network, inferer: inferer(), postprocessing: both });
    const events: Forward[] = [];
    evaluator.addHandler(forwardRecorder(events));
    await evaluator.run();
    expect(events[0]!.folded).to.equal(undefined);
    expect(events[0]!.pred.shape[0]).to.equal(K);
  });

  it('reports a folded step\'s error as the step itself would', async () => {
    const bad = () => new AsDiscreted({ keys: 'pred', toOnehot: 3, id: 'postprocessing#transforms#0' });
    const failures = await Promise.all(
      [true, false].map((fold) =>
        run(new Compose([new AsDiscreted({ keys: 'pred', argmax: true }), bad()]), { fold }).then(
          () => 'no error',
          (e: Error) => e.message,
        ),
      ),
    );
    expect(failures[0]).to.match(/AsDiscreted to_onehot=3 found the value 4 under "pred"/);
    expect(failures[1]).to.equal(failures[0]);
  });
});
