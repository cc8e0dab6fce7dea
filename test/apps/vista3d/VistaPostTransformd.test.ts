import { expect } from 'chai';
import { ARGMAX_DONE, foldArgmax, VistaPostTransformd, vistaPostTransformdEntry } from '../../../src/apps/vista3d/VistaPostTransformd.js';
import { identity4, type Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';

function volume(channels: number[][], spatialShape = [channels[0]!.length, 1, 1]): Volume {
  return {
    data: Float32Array.from(channels.flat()),
    dtype: 'float32',
    shape: [channels.length, ...spatialShape],
    affine: identity4(),
    meta: { originalAffine: identity4(), originalSpatialShape: spatialShape },
    appliedOperations: [{ transform: 'Spacingd', info: {} }],
  };
}

async function post(pred: Volume, extra: Record<string, unknown>): Promise<number[]> {
  const out = await new VistaPostTransformd({ keys: 'pred' }).apply({ pred, ...extra });
  const v = out.pred as Volume;
  expect(v.shape[0]).to.equal(1);
  expect(v.appliedOperations).to.deep.equal(pred.appliedOperations);
  return Array.from(v.data);
}

describe('VistaPostTransformd', () => {
  it('row 43: several prompts: highest logit wins, ties go to the first prompt, all <= 0 is background', async () => {
    const pred = volume([
      [5, 1, 2, -1, 0, 3],
      [4, 2, 2, -2, 0, 3],
      [1, 0, 1, -3, 0, 7],
    ]);
    expect(await post(pred, { label_prompt: [3, 14, 5] })).to.deep.equal([3, 14, 3, 0, 0, 5]);
  });

  it('row 44: a single prompt keeps logit > 0 as its id; exactly 0 is background; NaN stays NaN', async () => {
    const values = await post(volume([[0.5, 0, -1, NaN, 1e-30]]), { label_prompt: [3] });
    expect(values.slice(0, 3)).to.deep.equal([3, 0, 0]);
    expect(Number.isNaN(values[3])).to.equal(true);
    expect(values[4]).to.equal(3);
  });

  it('row 15: a kidney request writes 14 and 5, never 2', async () => {
    const values = await post(volume([[1, -1, 0], [0.5, 2, 0]]), { label_prompt: [14, 5] });
    expect(values).to.deep.equal([14, 5, 0]);
  });

  it('row 45: duplicate prompts [3, 3] give label 3', async () => {
    expect(await post(volume([[1, -1], [2, -1]]), { label_prompt: [3, 3] })).to.deep.equal([3, 0]);
  });

  it('row 23: a zero-shot prompt writes its own id with no component filter', async () => {
    const values = await post(volume([[1, -1, 2]]), { label_prompt: [136], points: [[1, 0, 0]], point_labels: [1] });
    expect(values).to.deep.equal([136, 0, 136]);
  });

  it('row 24: clicks only write 1 and drop positive regions without a positive click', async () => {
    const values = await post(volume([[2, 2, -9, 3, 3]]), { points: [[0, 0, 0]], point_labels: [1] });
    expect(values).to.deep.equal([1, 1, 0, 0, 0]);
  });

  it('names the labels the metadata cannot: the clicked object (1, not liver) and zero-shot ids', async () => {
    const named = async (extra: Record<string, unknown>) =>
      ((await new VistaPostTransformd({ keys: 'pred' }).apply({ pred: volume([[1, -1]]), ...extra })).pred as Volume).meta.labelNames;
    expect(await named({ points: [[0, 0, 0]], point_labels: [1] })).to.deep.equal({ '1': 'object at the clicks' });
    expect(await named({ label_prompt: [140], points: [[0, 0, 0]], point_labels: [1] })).to.deep.equal({ '140': 'zero-shot object 140' });
    expect(await named({ label_prompt: [3] })).to.equal(undefined);
  });

  it('maps arg-max indices computed by the inferer to ids', async () => {
    const pred = volume([[1, 0, 2, 3]]);
    pred.meta[ARGMAX_DONE] = true;
    const out = await new VistaPostTransformd({ keys: 'pred' }).apply({ pred, label_prompt: [7, 8, 9] });
    expect(Array.from((out.pred as Volume).data)).to.deep.equal([7, 0, 8, 9]);
    expect((out.pred as Volume).meta[ARGMAX_DONE]).to.equal(undefined);
  });

  it('refuses a prediction whose channels do not match the prompts', async () => {
    let error: unknown;
    try {
      await new VistaPostTransformd({ keys: 'pred' }).apply({ pred: volume([[1], [2]]), label_prompt: [3] });
    } catch (e) {
      error = e;
    }
    expect((error as { kind?: string }).kind).to.equal('invalid_data');
  });

  it('is created by its registry entry', async () => {
    const t = await vistaPostTransformdEntry.create({ keys: 'pred' }, { id: 'post', bundleRoot: '/', logger: silentLogger });
    expect(t).to.be.instanceOf(VistaPostTransformd);
  });
});

describe('foldArgmax', () => {
  it('folding prompts in chunks gives the same labels as all at once', () => {
    const n = 50;
    const logits = Float32Array.from({ length: 7 * n }, (_, i) => Math.round(Math.sin(i * 12.9898) * 4) / 2);
    const whole = { v: new Float32Array(n), i: new Uint16Array(n) };
    foldArgmax(logits, 7, 1, whole.v, whole.i);
    const chunked = { v: new Float32Array(n), i: new Uint16Array(n) };
    foldArgmax(logits.subarray(0, 3 * n), 3, 1, chunked.v, chunked.i);
    foldArgmax(logits.subarray(3 * n), 4, 4, chunked.v, chunked.i);
    expect(chunked.i).to.deep.equal(whole.i);
    expect(Array.from(whole.i).some((x) => x > 0)).to.equal(true);
  });
});
