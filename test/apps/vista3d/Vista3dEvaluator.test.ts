import { expect } from 'chai';
import { DEFAULT_SUBCLASS, CHANNEL_DEF } from '../../../src/apps/vista3d/labels.js';
import { Vista3dEvaluator, vista3dEvaluatorEntry } from '../../../src/apps/vista3d/Vista3dEvaluator.js';
import { Vista3dInferer } from '../../../src/apps/vista3d/Vista3dInferer.js';
import { VistaPostTransformd } from '../../../src/apps/vista3d/VistaPostTransformd.js';
import { VistaPreTransformd } from '../../../src/apps/vista3d/VistaPreTransformd.js';
import type { Handler } from '../../../src/engine/events.js';
import { BundleError } from '../../../src/errors/index.js';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import type { Sample } from '../../../src/transforms/Transform.js';
import { fakeVista, P } from './fakeNetwork.js';

const SHAPE = [20, 18, 24] as const;

/** A preprocessed image: 2 mm network grid over a 1 mm original file of twice the size; blocks of id/200 along x. */
function preprocessed(extra: Sample = {}): Sample {
  const [X, Y, Z] = SHAPE;
  const data = new Float32Array(X * Y * Z);
  for (let x = 0; x < X; x++) data.fill([3, 5, 7, 9][Math.floor(x / 5)]! / 200, x * Y * Z, (x + 1) * Y * Z);
  const image: Volume = {
    data,
    dtype: 'float32',
    shape: [1, ...SHAPE],
    affine: [
      [2, 0, 0, 0.5],
      [0, 2, 0, 0.5],
      [0, 0, 2, 0.5],
      [0, 0, 0, 1],
    ],
    meta: { originalAffine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], originalSpatialShape: [40, 36, 48] },
    appliedOperations: [{ transform: 'Spacingd', info: {} }],
  };
  return { image, ...extra };
}

function evaluator(samples: Sample[], everything: number[] | null = [3, 5, 7, 9], usePointWindow = true) {
  const fake = fakeVista();
  const ev = new Vista3dEvaluator({
    valDataLoader: samples,
    network: fake.network,
    inferer: new Vista3dInferer({ roiSize: [P, P, P], usePointWindow }),
    postprocessing: new VistaPostTransformd({ keys: 'pred' }),
    hyperKwargs: { user_prompt: true, everything_labels: everything },
    id: 'evaluator',
  });
  return { ev, fake };
}

/** Runs and returns each item's output (the sample after post-processing). */
async function outputs(ev: Vista3dEvaluator): Promise<Sample[]> {
  const out: Sample[] = [];
  ev.addHandler({ onEvent: (e) => void (e.name === 'iteration_completed' && out.push(e.state.sample!)) });
  await ev.run();
  return out;
}

const value = (v: Volume, x: number, y: number, z: number): number => v.data[(x * SHAPE[1] + y) * SHAPE[2] + z]!;

async function fails(samples: Sample[]): Promise<BundleError> {
  try {
    await evaluator(samples).ev.run();
  } catch (e) {
    return e as BundleError;
  }
  throw new Error('expected the run to fail');
}

describe('Vista3dEvaluator', () => {
  it('row 1: with no prompt it segments the everything labels and writes their ids', async () => {
    const { ev } = evaluator([preprocessed()]);
    const [sample] = await outputs(ev);
    const pred = sample!.pred as Volume;
    expect(pred.shape).to.deep.equal([1, ...SHAPE]);
    expect([0, 5, 10, 15].map((x) => value(pred, x, 3, 3))).to.deep.equal([3, 5, 7, 9]);
    expect(pred.appliedOperations).to.deep.equal([{ transform: 'Spacingd', info: {} }]);
    expect(sample!.label_prompt).to.deep.equal([3, 5, 7, 9]);
  });

  it('a label prompt writes only that id', async () => {
    const [sample] = await outputs(evaluator([preprocessed({ label_prompt: [7] })]).ev);
    const pred = sample!.pred as Volume;
    expect([0, 5, 10, 15].map((x) => value(pred, x, 3, 3))).to.deep.equal([0, 0, 7, 0]);
  });

  it('row 27: clicks are mapped from original voxels to network space before inference (clicks only: value 1)', async () => {
    // original (10.5, 18.5, 18.5) -> network ((10.5 - 0.5) / 2, 9, 9) = (5, 9, 9)
    const [sample] = await outputs(evaluator([preprocessed({ points: [[10.5, 18.5, 18.5]], point_labels: [1] })]).ev);
    expect(sample!.points).to.deep.equal([[5, 9, 9]]);
    const pred = sample!.pred as Volume;
    expect(value(pred, 5, 9, 9)).to.equal(1);
    expect(value(pred, 5, 9, 12)).to.equal(0);
    expect(Number.isNaN(value(pred, 5, 9, 20))).to.equal(true); // outside the click's window [1, 17)
  });

  it('row 57: a click outside the original image is refused naming the click and the image shape', async () => {
    const error = await fails([preprocessed({ points: [[40, 2, 2]], point_labels: [1] })]);
    expect(error.kind).to.equal('invalid_prompt');
    expect(error.message).to.equal('Click [40, 2, 2] lies outside the image, whose shape is [40, 36, 48].');
    expect(error.location.id).to.equal('evaluator');
  });

  it('a click inside the file but outside the cropped network volume is refused', async () => {
    const sample = preprocessed({ points: [[0, 0, 0]], point_labels: [1] });
    (sample.image as Volume).affine[0]![3] = 4; // network grid starts at x = 4 mm: original voxel 0 lies before it
    const error = await fails([sample]);
    expect(error.kind).to.equal('invalid_prompt');
    expect(error.message).to.contain('foreground crop');
  });

  it('row 14: kidney with clicks is refused with a message naming the subclass expansion', async () => {
    const pre = new VistaPreTransformd({ keys: 'image', subclass: DEFAULT_SUBCLASS, labelsDict: CHANNEL_DEF });
    const error = await fails([pre.apply(preprocessed({ label_prompt: ['kidney'], points: [[4, 4, 4]], point_labels: [1] }))]);
    expect(error.kind).to.equal('invalid_prompt');
    expect(error.message).to.contain('2 (kidney)');
  });

  it('row 2: without everything labels a sample without prompts is refused', async () => {
    try {
      await evaluator([preprocessed()], null).ev.run();
      expect.fail('expected an error');
    } catch (e) {
      expect((e as BundleError).message).to.equal('Prompt must be given for inference.');
    }
  });

  it('runs no post-processing for an item that fails validation', async () => {
    let postRan = false;
    const fake = fakeVista();
    const ev = new Vista3dEvaluator({
      valDataLoader: [preprocessed({ label_prompt: [] })],
      network: fake.network,
      inferer: new Vista3dInferer({ roiSize: [P, P, P] }),
      postprocessing: { name: 'spy', apply: (s) => ((postRan = true), s) },
      hyperKwargs: { user_prompt: true, everything_labels: null },
    });
    try {
      await ev.run();
    } catch {
      // expected
    }
    expect(postRan).to.equal(false);
    expect(fake.encoder.calls).to.equal(0);
  });

  it('reports window progress to the handlers', async () => {
    const { ev } = evaluator([preprocessed({ label_prompt: [3] })]);
    const seen: number[] = [];
    const handler: Handler = { onEvent: (e) => void (e.name === 'inference_progress' && seen.push(e.progress!.done)) };
    ev.addHandler(handler);
    await ev.run();
    expect(seen.length).to.be.greaterThan(1);
    expect(seen.at(-1)).to.equal(seen.length);
  });

  it('its entry refuses a network that is not a Vista3dNetwork', () => {
    const context = { id: 'evaluator', bundleRoot: '/', logger: silentLogger };
    const args = { val_data_loader: [], network: { run: async () => ({}) }, inferer: new Vista3dInferer({ roiSize: 16 }), hyper_kwargs: { user_prompt: true } };
    expect(() => vista3dEvaluatorEntry.create(args as never, context)).to.throw(BundleError, 'Vista3dNetwork');
  });
});
