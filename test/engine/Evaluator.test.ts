import { expect } from 'chai';
import { BundleError } from '../../src/errors/index.js';
import { isVolume, type Volume } from '../../src/image/Volume.js';
import { SupervisedEvaluator } from '../../src/engine/Evaluator.js';
import type { EngineEvent, Handler } from '../../src/engine/events.js';
import { doubler, transform, volume, WholeInferer } from './fakes.js';

function recorder(): Handler & { events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  return { events, onEvent: (e) => void events.push({ ...e }) };
}

describe('SupervisedEvaluator', () => {
  it('puts the network output under "pred" with the image geometry and applied operations', async () => {
    const image = volume([1, 2, 3, 4], [2, 2, 1], '/data/a.nii.gz');
    const evaluator = new SupervisedEvaluator({ valDataLoader: [{ image }], network: doubler, inferer: new WholeInferer() });
    let seen: Volume | undefined;
    const capture = transform('capture', (s) => {
      seen = s.pred as Volume;
      return s;
    });
    const ev2 = new SupervisedEvaluator({ valDataLoader: [{ image }], network: doubler, inferer: new WholeInferer(), postprocessing: capture });
    await ev2.run();
    expect(isVolume(seen)).to.equal(true);
    expect(Array.from(seen!.data)).to.deep.equal([2, 4, 6, 8]);
    expect(seen!.shape).to.deep.equal([1, 2, 2, 1]);
    expect(seen!.affine).to.deep.equal(image.affine);
    expect(seen!.appliedOperations).to.deep.equal(image.appliedOperations);
    expect(seen!.meta.filename).to.equal('/data/a.nii.gz');
    const state = await evaluator.run();
    expect(state.items).to.have.length(1);
  });

  it('fires events in MONAI order, with window progress inside each iteration', async () => {
    const handler = recorder();
    const data = [{ image: volume([1], [1, 1, 1]) }, { image: volume([2], [1, 1, 1]) }];
    const evaluator = new SupervisedEvaluator({ valDataLoader: data, network: doubler, inferer: new WholeInferer(2), valHandlers: [handler] });
    await evaluator.run();
    expect(handler.events.map((e) => e.name)).to.deep.equal([
      'started', 'epoch_started',
      'iteration_started', 'inference_progress', 'inference_progress', 'forward_completed', 'iteration_completed',
      'iteration_started', 'inference_progress', 'inference_progress', 'forward_completed', 'iteration_completed',
      'epoch_completed', 'completed',
    ]);
    expect(handler.events.filter((e) => e.name === 'inference_progress').map((e) => e.progress)).to.deep.equal([
      { done: 1, total: 2 }, { done: 2, total: 2 }, { done: 1, total: 2 }, { done: 2, total: 2 },
    ]);
  });

  it('records inputs, outputs (meta.saved_to) and stage timings per item', async () => {
    const save = transform('save', (s) => ({ ...s, pred: { ...(s.pred as Volume), meta: { ...(s.pred as Volume).meta, saved_to: '/out/a_seg.nii.gz' } } }));
    const evaluator = new SupervisedEvaluator({
      valDataLoader: [{ image: volume([1], [1, 1, 1], '/data/a.nii.gz') }],
      network: doubler,
      inferer: new WholeInferer(),
      postprocessing: save,
    });
    const state = await evaluator.run();
    const item = state.items[0]!;
    expect(item.inputs).to.deep.equal({ image: '/data/a.nii.gz' });
    expect(item.outputs).to.deep.equal({ pred: '/out/a_seg.nii.gz' });
    expect(item).not.to.have.property('labelNames');
    for (const t of Object.values(item.timings)) expect(t).to.be.a('number').and.at.least(0);
    expect(item.timings.total).to.be.at.least(item.timings.inference);
  });

  it('records the label names an output volume carries (meta.labelNames), by key', async () => {
    const name = transform('name', (s) => ({ ...s, pred: { ...(s.pred as Volume), meta: { ...(s.pred as Volume).meta, labelNames: { '1': 'object at the clicks' } } } }));
    const evaluator = new SupervisedEvaluator({ valDataLoader: [{ image: volume([1], [1, 1, 1]) }], network: doubler, inferer: new WholeInferer(), postprocessing: name });
    const state = await evaluator.run();
    expect(state.items[0]!.labelNames).to.deep.equal({ pred: { '1': 'object at the clicks' } });
  });

  it('reads async loaders and stops after epoch_length items', async () => {
    async function* loader() {
      for (let i = 0; i < 5; i++) yield { image: volume([i], [1, 1, 1]) };
    }
    const evaluator = new SupervisedEvaluator({ valDataLoader: loader(), network: doubler, inferer: new WholeInferer(), epochLength: 3 });
    const state = await evaluator.run();
    expect(state.items.map((i) => i.index)).to.deep.equal([1, 2, 3]);
    expect(state.epochLength).to.equal(3);
  });

  it('takes the item count from the loader when it tells it', async () => {
    const loader = Object.assign([{ image: volume([1], [1, 1, 1]) }], {});
    const handler = recorder();
    await new SupervisedEvaluator({ valDataLoader: loader, network: doubler, inferer: new WholeInferer(), valHandlers: [handler] }).run();
    expect(handler.events[0]!.state.epochLength).to.equal(1);
  });

  it('fires exception_raised and rethrows a foreign error as runtime_error naming the item', async () => {
    const handler = recorder();
    const failing = transform('boom', () => {
      throw new Error('disk full');
    });
    const evaluator = new SupervisedEvaluator({
      valDataLoader: [{ image: volume([1], [1, 1, 1]) }],
      network: doubler,
      inferer: new WholeInferer(),
      postprocessing: failing,
      valHandlers: [handler],
      id: 'evaluator',
    });
    const error = await evaluator.run().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(BundleError);
    expect((error as BundleError).kind).to.equal('runtime_error');
    expect((error as BundleError).message).to.contain('Item 1').and.contain('disk full');
    expect((error as BundleError).location.id).to.equal('evaluator');
    expect(handler.events.map((e) => e.name)).to.include('exception_raised');
    expect(handler.events.at(-1)!.error).to.equal(error);
  });

  it('keeps a BundleError\'s kind when an item fails', async () => {
    const evaluator = new SupervisedEvaluator({ valDataLoader: [{ label: 1 }], network: doubler, inferer: new WholeInferer() });
    const error = await evaluator.run().then(() => undefined, (e: unknown) => e);
    expect((error as BundleError).kind).to.equal('missing_key');
    expect((error as BundleError).message).to.contain('"image"').and.contain('label');
  });

  it('refuses an inferer output that does not lie on the image grid', async () => {
    const shrinking = { infer: async () => ({ type: 'float32' as const, dims: [1, 1, 1, 1, 1], data: new Float32Array(1) }) };
    const evaluator = new SupervisedEvaluator({ valDataLoader: [{ image: volume([1, 2], [2, 1, 1]) }], network: doubler, inferer: shrinking });
    const error = await evaluator.run().then(() => undefined, (e: unknown) => e);
    expect((error as BundleError).kind).to.equal('shape_mismatch');
  });

  it('lets a subclass replace the per-item step', async () => {
    class Constant extends SupervisedEvaluator {
      protected override async iteration(sample: Record<string, unknown>) {
        return { ...sample, pred: 'custom' };
      }
    }
    let pred: unknown;
    const evaluator = new Constant({
      valDataLoader: [{ image: volume([1], [1, 1, 1]) }],
      network: doubler,
      inferer: new WholeInferer(),
      postprocessing: transform('t', (s) => ((pred = s.pred), s)),
    });
    await evaluator.run();
    expect(pred).to.equal('custom');
  });
});
