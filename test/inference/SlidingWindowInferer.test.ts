import { expect } from 'chai';
import { bufferRows, SlidingWindowInferer, type SlidingWindowOptions } from '../../src/inference/SlidingWindowInferer.js';
import type { Slab } from '../../src/inference/SlabStitcher.js';
import type { Predictor, Tensor, WindowBatchInfo } from '../../src/inference/types.js';
import { importanceMap, planWindows, windowStarts } from '../../src/inference/windows.js';

function volume(shape: number[], f: (x: number, y: number, z: number, c: number) => number): Tensor {
  const [c, X, Y, Z] = shape;
  const data = new Float32Array(c * X * Y * Z);
  let i = 0;
  for (let k = 0; k < c; k++) for (let x = 0; x < X; x++) for (let y = 0; y < Y; y++) for (let z = 0; z < Z; z++) data[i++] = f(x, y, z, k);
  return { type: 'float32', dims: [1, ...shape], data };
}

const identity: Predictor = async (batch) => batch;

/** A network whose output depends on where the voxel sits in its window, so blending errors show. */
function positional(channels: number): Predictor {
  return async (batch) => {
    const [n, , X, Y, Z] = batch.dims;
    const inData = batch.data as Float32Array;
    const out = new Float32Array(n * channels * X * Y * Z);
    const size = X * Y * Z;
    for (let b = 0; b < n; b++)
      for (let k = 0; k < channels; k++)
        for (let i = 0; i < size; i++) {
          const z = i % Z;
          out[(b * channels + k) * size + i] = inData[b * batch.dims[1] * size + i] * (k + 1) + 0.01 * z;
        }
    return { type: 'float32', dims: [n, channels, X, Y, Z], data: out };
  };
}

/**
 * MONAI's blend written out directly, in float32 as torch computes it: for each window in order,
 * `out += fl(p·w)` and `count += w` over the padded image, then `out / count`, cropped.
 */
function naive(input: Tensor, options: SlidingWindowOptions & { roiSize: number[] }, channels: number, net: (v: number, z: number, k: number) => number): Float32Array {
  const [, , X, Y, Z] = input.dims;
  const plan = planWindows([X, Y, Z], options.roiSize, options.overlap ?? 0.25);
  const [r0, r1, r2] = plan.roiSize;
  const [P0, P1, P2] = plan.paddedShape;
  const [lo0, lo1, lo2] = plan.pad.map((p) => p[0]);
  const w = importanceMap(plan.roiSize, options.mode ?? 'constant', options.sigmaScale ?? 0.125);
  const sums = new Float32Array(channels * P0 * P1 * P2);
  const counts = new Float32Array(P0 * P1 * P2);
  const src = input.data as Float32Array;
  const value = (x: number, y: number, z: number) => {
    const [a, b, c] = [x - lo0, y - lo1, z - lo2];
    if (options.paddingMode === 'replicate') {
      const cl = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1);
      return src[(cl(a, X) * Y + cl(b, Y)) * Z + cl(c, Z)];
    }
    if (a < 0 || b < 0 || c < 0 || a >= X || b >= Y || c >= Z) return options.cval ?? 0;
    return src[(a * Y + b) * Z + c];
  };
  for (const [s0, s1, s2] of windowStarts(plan))
    for (let x = 0; x < r0; x++)
      for (let y = 0; y < r1; y++)
        for (let z = 0; z < r2; z++) {
          const o = ((s0 + x) * P1 + s1 + y) * P2 + s2 + z;
          const wt = w[(x * r1 + y) * r2 + z];
          counts[o] += wt;
          for (let k = 0; k < channels; k++) {
            const p = Math.fround(net(Math.fround(value(s0 + x, s1 + y, s2 + z)), z, k));
            sums[k * P0 * P1 * P2 + o] += Math.fround(p * wt);
          }
        }
  const out = new Float32Array(channels * X * Y * Z);
  let i = 0;
  for (let k = 0; k < channels; k++)
    for (let x = 0; x < X; x++)
      for (let y = 0; y < Y; y++)
        for (let z = 0; z < Z; z++) {
          const o = ((x + lo0) * P1 + y + lo1) * P2 + z + lo2;
          out[i++] = sums[k * P0 * P1 * P2 + o] / counts[o];
        }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const ramp = volume([1, 23, 17, 11], (x, y, z) => Math.sin(x * 0.3) + Math.cos(y * 0.2) * z * 0.1);
const positionalNet = (v: number, z: number, k: number) => v * (k + 1) + 0.01 * z;

describe('inference/SlidingWindowInferer', () => {
  it('returns its input through an identity network (constant and gaussian blending)', async () => {
    for (const mode of ['constant', 'gaussian'] as const) {
      const out = await new SlidingWindowInferer({ roiSize: [8, 8, 6], overlap: 0.5, mode }).infer(ramp, identity);
      expect(out.dims).to.deep.equal([1, 1, 23, 17, 11]);
      expect(maxAbsDiff(out.data as Float32Array, ramp.data as Float32Array)).to.be.below(1e-6);
    }
  });

  for (const options of [
    { roiSize: [8, 8, 6], overlap: 0.25, mode: 'constant' },
    { roiSize: [8, 6, 4], overlap: [0.5, 0.3, 0.1], mode: 'gaussian', sigmaScale: 0.25 },
    { roiSize: [30, 20, 16], mode: 'constant', cval: 0.5 },
    { roiSize: [30, 9, 16], mode: 'gaussian', paddingMode: 'replicate' },
  ] as const) {
    it(`blends bit for bit like MONAI's float32 weighted mean with ${JSON.stringify(options)}`, async () => {
      const opts = { ...options, roiSize: [...options.roiSize] } as SlidingWindowOptions & { roiSize: number[] };
      const out = await new SlidingWindowInferer(opts).infer(ramp, positional(3));
      expect(out.dims).to.deep.equal([1, 3, 23, 17, 11]);
      expect(maxAbsDiff(out.data as Float32Array, naive(ramp, opts, 3, positionalNet))).to.equal(0);
    });
  }

  it('blends bit for bit the same in 2 and 3 threads as in one (whole output, slabs, batches, padding)', async () => {
    const options = { roiSize: [9, 8, 6], overlap: 0.5, mode: 'gaussian', swBatchSize: 2, paddingMode: 'replicate' } as const;
    const opts = { ...options, roiSize: [...options.roiSize] };
    const serial = await new SlidingWindowInferer({ ...opts, blendThreads: 1 }).infer(ramp, positional(3));
    expect(maxAbsDiff(serial.data as Float32Array, naive(ramp, opts, 3, positionalNet))).to.equal(0);
    for (const blendThreads of [2, 3]) {
      const inferer = new SlidingWindowInferer({ ...opts, blendThreads });
      const whole = await inferer.infer(ramp, positional(3));
      expect(Array.from(whole.data as Float32Array)).to.deep.equal(Array.from(serial.data as Float32Array));
      const slabs: Slab[] = [];
      await inferer.inferSlabs(ramp, positional(3), (slab) => void slabs.push({ ...slab, data: slab.data.slice() }));
      const plane = 17 * 11;
      for (const slab of slabs) {
        const rows = slab.x1 - slab.x0;
        for (let k = 0; k < 3; k++) {
          const expected = (serial.data as Float32Array).subarray(k * 23 * plane + slab.x0 * plane, k * 23 * plane + slab.x1 * plane);
          expect(Array.from(slab.data.subarray(k * rows * plane, (k + 1) * rows * plane))).to.deep.equal(Array.from(expected));
        }
      }
      expect(slabs.at(-1)!.x1).to.equal(23);
    }
  });

  it('ends its blending threads when the network fails, and rejects a bad blend_threads', async () => {
    let calls = 0;
    const failing: Predictor = async (batch) => {
      if (++calls === 3) throw new Error('network broke');
      return positional(2)(batch);
    };
    const inferer = new SlidingWindowInferer({ roiSize: [8, 8, 6], blendThreads: 2 });
    await inferer.infer(ramp, failing).then(
      () => expect.fail('should reject'),
      (e: Error) => expect(e.message).to.equal('network broke'),
    );
    expect(() => new SlidingWindowInferer({ roiSize: [8, 8, 6], blendThreads: 0 })).to.throw(/blend_threads must be a positive integer/);
  });

  it('works on 2-D inputs [1, C, X, Y] as MONAI does', async () => {
    const image: Tensor = { type: 'float32', dims: [1, 2, 13, 9], data: Float32Array.from({ length: 2 * 13 * 9 }, (_, i) => Math.cos(i)) };
    const out = await new SlidingWindowInferer({ roiSize: [5, 4], overlap: 0.5, mode: 'gaussian' }).infer(image, identity);
    expect(out.dims).to.deep.equal([1, 2, 13, 9]);
    expect(maxAbsDiff(out.data as Float32Array, image.data as Float32Array)).to.be.below(1e-6);
  });

  it('pads an input smaller than the roi with cval, so the network sees cval at the borders', async () => {
    const small = volume([1, 3, 4, 2], () => 1);
    const seen: number[] = [];
    const recording: Predictor = async (batch) => {
      seen.push(...(batch.data as Float32Array));
      return batch;
    };
    const out = await new SlidingWindowInferer({ roiSize: [5, 4, 4], cval: -2 }).infer(small, recording);
    expect(seen.length).to.equal(80);
    expect(seen.filter((v) => v === 1).length).to.equal(24);
    expect(seen.filter((v) => v === -2).length).to.equal(56);
    expect(out.dims).to.deep.equal([1, 1, 3, 4, 2]);
    expect(Array.from(out.data as Float32Array).every((v) => v === 1)).to.equal(true);
  });

  it('replicate padding repeats the edge voxels', async () => {
    const small = volume([1, 2, 1, 1], (x) => x + 1);
    let seen: Float32Array | undefined;
    await new SlidingWindowInferer({ roiSize: [4, 3, 1], paddingMode: 'replicate' }).infer(small, async (batch) => {
      seen = batch.data as Float32Array;
      return batch;
    });
    expect(Array.from(seen!)).to.deep.equal([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  });

  it('gives the same output for sw_batch_size 1, 3 and 7', async () => {
    const base = await new SlidingWindowInferer({ roiSize: [8, 8, 6], mode: 'gaussian' }).infer(ramp, positional(2));
    for (const swBatchSize of [3, 7]) {
      const out = await new SlidingWindowInferer({ roiSize: [8, 8, 6], mode: 'gaussian', swBatchSize }).infer(ramp, positional(2));
      expect(Array.from(out.data as Float32Array)).to.deep.equal(Array.from(base.data as Float32Array));
    }
  });

  it('hands on slabs in order that tile axis 0 and equal the whole output', async () => {
    const inferer = new SlidingWindowInferer({ roiSize: [6, 8, 6], overlap: 0.5, mode: 'gaussian', swBatchSize: 2 });
    const whole = await inferer.infer(ramp, positional(2));
    const slabs: Slab[] = [];
    // a slab is the caller's only until its callback settles: keep a copy
    const result = await inferer.inferSlabs(ramp, positional(2), (slab) => void slabs.push({ ...slab, data: slab.data.slice() }));
    expect(result.channels).to.equal(2);
    expect(slabs.length).to.be.greaterThan(3);
    let x = 0;
    const plane = 17 * 11;
    for (const slab of slabs) {
      expect(slab.x0).to.equal(x);
      expect(slab.shape).to.deep.equal([2, slab.x1 - slab.x0, 17, 11]);
      for (let k = 0; k < 2; k++) {
        const part = slab.data.subarray(k * (slab.x1 - slab.x0) * plane, (k + 1) * (slab.x1 - slab.x0) * plane);
        const expected = (whole.data as Float32Array).subarray(k * 23 * plane + slab.x0 * plane, k * 23 * plane + slab.x1 * plane);
        expect(Array.from(part)).to.deep.equal(Array.from(expected));
      }
      x = slab.x1;
    }
    expect(x).to.equal(23);
  });

  it('hands on slabs of at most maxSlabValues values, still equal to the whole output', async () => {
    const plane = 17 * 11;
    const inferer = new SlidingWindowInferer({ roiSize: [6, 8, 6], overlap: 0.5, mode: 'gaussian', swBatchSize: 2, maxSlabValues: 2 * 3 * plane });
    const whole = await inferer.infer(ramp, positional(2));
    const got = new Float32Array(whole.data.length);
    const rows: number[] = [];
    await inferer.inferSlabs(ramp, positional(2), (slab) => {
      rows.push(slab.x1 - slab.x0);
      const n = slab.x1 - slab.x0;
      for (let k = 0; k < 2; k++) got.set(slab.data.subarray(k * n * plane, (k + 1) * n * plane), k * 23 * plane + slab.x0 * plane);
    });
    expect(Math.max(...rows)).to.equal(3);
    expect(rows.reduce((a, b) => a + b, 0)).to.equal(23);
    expect(Array.from(got)).to.deep.equal(Array.from(whole.data as Float32Array));
  });

  it('keeps at most one roi of rows open per batch within a row of windows', () => {
    const plan = planWindows([512, 512, 128], [96, 96, 96], 0.25);
    expect(bufferRows(plan, 1)).to.equal(96);
    expect(bufferRows(plan, 4)).to.equal(96 + 72);
  });

  it('tells the predictor where each window sits and reports progress', async () => {
    const infos: WindowBatchInfo[] = [];
    const progress: [number, number][] = [];
    await new SlidingWindowInferer({ roiSize: [16, 16, 11], swBatchSize: 2 }).infer(
      ramp,
      async (batch, info) => {
        infos.push(info!);
        return batch;
      },
      { onProgress: (done, total) => progress.push([done, total]) },
    );
    expect(infos.flatMap((i) => i.starts)).to.deep.equal([
      [0, 0, 0],
      [0, 1, 0],
      [7, 0, 0],
      [7, 1, 0],
    ]);
    expect(infos[0].pad).to.deep.equal([[0, 0], [0, 0], [0, 0]]);
    expect(progress).to.deep.equal([
      [2, 4],
      [4, 4],
    ]);
  });

  it('rejects a network output of the wrong spatial size', async () => {
    const shrinking: Predictor = async (batch) => ({ type: 'float32', dims: [batch.dims[0], 1, 4, 4, 4], data: new Float32Array(64 * batch.dims[0]) });
    const err = await new SlidingWindowInferer({ roiSize: [8, 8, 6] }).infer(ramp, shrinking).catch((e) => e);
    expect(err).to.have.property('kind', 'shape_mismatch');
    expect(err.message).to.match(/\[1, 1, 4, 4, 4\].*expected \[1, K, 8, 8, 6\]/);
  });

  it('rejects an input without a batch of one or not float32', async () => {
    const inferer = new SlidingWindowInferer({ roiSize: 4 });
    const noBatch = { type: 'float32', dims: [2, 3, 4], data: new Float32Array(24) } as Tensor;
    expect(await inferer.infer(noBatch, identity).catch((e) => e)).to.have.property('kind', 'shape_mismatch');
    const ints = { type: 'int32', dims: [1, 1, 2, 2, 2], data: new Int32Array(8) } as Tensor;
    expect((await inferer.infer(ints, identity).catch((e) => e)).message).to.match(/float32/);
  });
});
