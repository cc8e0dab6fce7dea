import { expect } from 'chai';
import { Vista3dInferer, vista3dInfererEntry } from '../../../src/apps/vista3d/Vista3dInferer.js';
import { NO_PROMPT_LOGIT } from '../../../src/apps/vista3d/patchForward.js';
import type { Tensor } from '../../../src/inference/types.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { classLogit, fakeVista, P } from './fakeNetwork.js';

function image(shape: number[], value: (x: number, y: number, z: number) => number): Tensor {
  const [X, Y, Z] = shape as [number, number, number];
  const data = new Float32Array(X * Y * Z);
  for (let x = 0; x < X; x++) for (let y = 0; y < Y; y++) for (let z = 0; z < Z; z++) data[(x * Y + y) * Z + z] = value(x, y, z);
  return { type: 'float32', dims: [1, 1, ...shape], data };
}

const get = (t: Tensor, x: number, y: number, z: number, k = 0): number => {
  const [, , X, Y, Z] = t.dims as number[];
  return (t.data as Float32Array)[(((k * X! + x) * Y! + y) * Z! + z)]!;
};

/** blocks of the image hold id/200 for the ids 3, 5, 7, 9 along x (5 voxels each); elsewhere 0.9 */
const blocks = (): Tensor => image([20, 18, 24], (x) => (x < 20 ? [3, 5, 7, 9][Math.floor(x / 5)]! / 200 : 0.9));

describe('Vista3dInferer', () => {
  it('one label prompt: class-head logits stitched over sliding windows', async () => {
    const fake = fakeVista();
    const input = blocks();
    const { output, argmaxDone } = await new Vista3dInferer({ roiSize: [P, P, P] }).run(input, fake.network, { classIds: [5], points: null, pointLabels: null });
    expect(argmaxDone).to.equal(false);
    expect(output.dims).to.deep.equal([1, 1, 20, 18, 24]);
    for (const [x, y, z] of [[0, 0, 0], [7, 9, 12], [19, 17, 23]] as const) expect(get(output, x, y, z)).to.be.closeTo(classLogit(get(input, x, y, z), 5), 1e-6);
    expect(fake.pointHead.calls).to.equal(0);
  });

  it('rows 1/43: several prompts come back as arg-max indices without a [K, X, Y, Z] array', async () => {
    const fake = fakeVista();
    const { output, argmaxDone } = await new Vista3dInferer({ roiSize: [P, P, P] }).run(blocks(), fake.network, { classIds: [9, 3, 5, 7, 100], points: null, pointLabels: null });
    expect(argmaxDone).to.equal(true);
    expect(output.dims).to.deep.equal([1, 1, 20, 18, 24]);
    expect([0, 5, 10, 15].map((x) => get(output, x, 4, 4))).to.deep.equal([2, 3, 4, 1]);
  });

  it('many prompts split into passes when the stitch buffer is small give the same labels, and the encoder still runs once per window', async () => {
    const ids = [9, 3, 5, 7, 100, 3];
    const whole = fakeVista();
    const one = await new Vista3dInferer({ roiSize: [P, P, P] }).run(blocks(), whole.network, { classIds: ids, points: null, pointLabels: null });
    const split = fakeVista();
    const passes = await new Vista3dInferer({ roiSize: [P, P, P], stitchMemoryBytes: 1 }).run(blocks(), split.network, { classIds: ids, points: null, pointLabels: null });
    expect(passes.output.data).to.deep.equal(one.output.data);
    expect(split.classHead.calls).to.equal(ids.length * whole.classHead.calls); // one pass per id
    expect(split.encoder.calls).to.equal(whole.encoder.calls);
    expect(passes.windows).to.equal(one.windows);
    expect(passes.encoderRuns).to.equal(passes.windows);
  });

  it('stitch_memory_mb in a config bounds the stitching buffers (768 MiB by default)', async () => {
    const ctx = { id: 'inferer', bundleRoot: '/tmp', logger: silentLogger };
    const dflt = (await vista3dInfererEntry.create({ roi_size: P }, ctx)) as Vista3dInferer;
    const small = (await vista3dInfererEntry.create({ roi_size: P, stitch_memory_mb: 100 }, ctx)) as Vista3dInferer;
    expect(dflt.options.stitchMemoryBytes).to.equal(768 * 1024 * 1024);
    expect(small.options.stitchMemoryBytes).to.equal(100 * 1024 * 1024);
  });

  it('row 55: max_prompt_size runs the class head in chunks with identical results', async () => {
    const ids = [9, 3, 5, 7, 100];
    const whole = fakeVista();
    const chunked = fakeVista({ maxPromptSize: 2 });
    const a = await new Vista3dInferer({ roiSize: [P, P, P] }).run(blocks(), whole.network, { classIds: ids, points: null, pointLabels: null });
    const b = await new Vista3dInferer({ roiSize: [P, P, P] }).run(blocks(), chunked.network, { classIds: ids, points: null, pointLabels: null });
    expect(b.output.data).to.deep.equal(a.output.data);
    expect(chunked.classHead.feeds.every((f) => f.class_ids!.dims[0]! <= 2)).to.equal(true);
    expect(chunked.classHead.calls).to.equal(3 * whole.classHead.calls);
  });

  it('sw_batch_size > 1 gives the same logits and encodes several windows per call', async () => {
    const a = await new Vista3dInferer({ roiSize: [P, P, P] }).run(blocks(), fakeVista().network, { classIds: [5], points: null, pointLabels: null });
    const fake = fakeVista();
    const b = await new Vista3dInferer({ roiSize: [P, P, P], swBatchSize: 3 }).run(blocks(), fake.network, { classIds: [5], points: null, pointLabels: null });
    expect(b.output.data).to.deep.equal(a.output.data);
    expect(fake.encoder.feeds.some((f) => f.image!.dims[0] === 3)).to.equal(true);
  });

  describe('point windows', () => {
    const inferer = (options: Record<string, unknown> = {}) => new Vista3dInferer({ roiSize: [P, P, P], usePointWindow: true, ...options });
    const flat = () => image([40, 20, 20], () => 0.5);

    it('row 37/39: one window per click, clamped at the border; NaN outside every window', async () => {
      const { output } = await inferer().run(flat(), fakeVista().network, { classIds: null, points: [[5, 9, 9]], pointLabels: [1] });
      expect(get(output, 5, 9, 9)).to.equal(8.5);
      expect(get(output, 5, 9, 11)).to.equal(4.5);
      expect(get(output, 15, 15, 15)).to.equal(-0.5); // inside the window [0,16)^3 (clamped at x), far from the click
      expect(Number.isNaN(get(output, 16, 9, 9))).to.equal(true);
      expect(get(output, 5, 16, 9)).to.equal(-0.5); // y window [1, 17): int(9) - 8
      expect(Number.isNaN(get(output, 5, 17, 9))).to.equal(true);
      expect(get(output, 5, 1, 9)).to.equal(-0.5);
      expect(Number.isNaN(get(output, 5, 0, 9))).to.equal(true);
    });

    it('row 38: overlapping windows are summed, not averaged', async () => {
      const { output } = await inferer().run(flat(), fakeVista().network, { classIds: null, points: [[5, 9, 9], [5, 9, 9]], pointLabels: [1, 1] });
      // each window sees both clicks: 2 * 9 - 0.5, and the two identical windows add up
      expect(get(output, 5, 9, 9)).to.equal(35);
    });

    it('row 41: a click exactly on the window start is outside the patch (no click left: -9999)', async () => {
      const { output } = await inferer().run(flat(), fakeVista().network, { classIds: null, points: [[0, 9, 9]], pointLabels: [1] });
      expect(get(output, 0, 9, 9)).to.equal(NO_PROMPT_LOGIT);
      expect(get(output, 3, 9, 9)).to.equal(NO_PROMPT_LOGIT);
    });

    it('a -1 click makes a window but is not a click inside it', async () => {
      const { output } = await inferer().run(flat(), fakeVista().network, { classIds: null, points: [[5, 9, 9], [30, 9, 9]], pointLabels: [1, -1] });
      expect(get(output, 30, 9, 9)).to.equal(NO_PROMPT_LOGIT);
      expect(get(output, 5, 9, 9)).to.equal(8.5);
    });

    it('row 52: point_start builds windows only for the later clicks, each seeing all clicks', async () => {
      const fake = fakeVista();
      const { output } = await inferer({ pointStart: 1 }).run(flat(), fake.network, { classIds: null, points: [[14, 9, 9], [20, 9, 9]], pointLabels: [1, 1] });
      expect(fake.encoder.calls).to.equal(1);
      expect(Number.isNaN(get(output, 5, 9, 9))).to.equal(true); // window x [12, 28)
      expect(get(output, 15, 9, 9)).to.equal(8 - 0.5); // click 14 at distance 1, click 20 too far
      expect(get(output, 20, 9, 9)).to.equal(8.5);
      expect(get(output, 12, 9, 9)).to.equal(4.5); // first voxel of the window
    });

    it('row 51: prev_mask fills the voxels no window computed', async () => {
      const prevMask = image([40, 20, 20], (x) => (x > 30 ? 7 : -3));
      const { output } = await inferer().run(flat(), fakeVista().network, { classIds: null, points: [[5, 9, 9]], pointLabels: [1], prevMask });
      expect(get(output, 35, 9, 9)).to.equal(7);
      expect(get(output, 20, 9, 9)).to.equal(-3);
      expect(get(output, 5, 9, 9)).to.equal(8.5);
    });

    it('row 36: an image smaller than the patch is padded, the clicks shifted, and the output cropped back', async () => {
      const { output } = await inferer().run(image([10, 10, 10], () => 0.5), fakeVista().network, { classIds: null, points: [[5, 5, 5]], pointLabels: [1] });
      expect(output.dims).to.deep.equal([1, 1, 10, 10, 10]);
      expect(get(output, 5, 5, 5)).to.equal(8.5);
      expect(get(output, 5, 5, 7)).to.equal(4.5);
    });

    it('row 23: a zero-shot id skips the class head and uses the zero-shot embedding', async () => {
      const fake = fakeVista();
      const { output } = await inferer().run(flat(), fake.network, { classIds: [136], points: [[8, 9, 9]], pointLabels: [1] });
      expect(fake.classHead.calls).to.equal(0);
      expect(get(output, 8, 9, 13)).to.equal(25 - 16 - 0.5); // radius 5 instead of 3
      expect(fake.pointHead.feeds[0]!.zeroshot!.data).to.deep.equal(Uint8Array.from([1]));
    });

    it('rows 22/42: a label id with clicks runs both heads and takes the clicked point-head component', async () => {
      const fake = fakeVista();
      // class 16 lights up nowhere (image 0.5), so the clicked ball comes from the point head
      const { output } = await inferer().run(flat(), fake.network, { classIds: [16], points: [[8, 9, 9]], pointLabels: [1] });
      expect(fake.classHead.calls).to.equal(1);
      expect(fake.pointHead.feeds[0]!.zeroshot!.data).to.deep.equal(Uint8Array.from([0]));
      expect(get(output, 8, 9, 9)).to.equal(8.5);
      expect(get(output, 8, 9, 15)).to.be.closeTo(classLogit(0.5, 16), 1e-7);
    });
  });

  it('row 53: use_point_window=false slides windows with the clicks shifted by the pad', async () => {
    const { output } = await new Vista3dInferer({ roiSize: [P, P, P] }).run(image([10, 10, 10], () => 0.5), fakeVista().network, {
      classIds: null,
      points: [[5, 5, 5]],
      pointLabels: [1],
    });
    expect(get(output, 5, 5, 5)).to.equal(8.5);
    expect(get(output, 2, 2, 2)).to.be.below(0);
  });

  it('is created from bundle arguments by its registry entry', async () => {
    const inferer = (await vista3dInfererEntry.create(
      { roi_size: [16, 16, 16], overlap: 0.25, sw_batch_size: 2, use_point_window: true },
      { id: 'inferer', bundleRoot: '/', logger: silentLogger },
    )) as Vista3dInferer;
    expect(inferer.options.usePointWindow).to.equal(true);
    expect(inferer.options.swBatchSize).to.equal(2);
  });
});
