/**
 * MONAI's SlidingWindowInferer (`sliding_window_inference`): pad to the roi, place windows (windows.ts), run
 * the network `sw_batch_size` windows at a time, blend (constant or gaussian weights; weighted sum / weight
 * sum in float32), crop the padding off. `inferSlabs` hands the result on slab by slab along axis 0 as soon as
 * each slab is final, so that callers with many output channels never hold `[K, X, Y, Z]`; `infer` collects
 * the slabs into the whole output.
 */
import { BundleError } from '../errors/index.js';
import { asPredictor, checkPredictorOutput } from './predictor.js';
import os from 'node:os';
import { acquireBlendWorkers, ParallelBlender, releaseBlendWorkers, SerialBlender, type WindowBlender } from './parallelStitch.js';
import type { Slab } from './SlabStitcher.js';
import type { InferHooks, Network, Predictor, SlabInferer, Tensor } from './types.js';
import { copyWindow, type PaddingMode, type WindowSource } from './windowInput.js';
import { type BlendMode, importanceMap, planWindows, type WindowPlan, windowStart } from './windows.js';

export interface SlidingWindowOptions {
  /** window size per spatial axis (one number for all); non-positive entries take the image size */
  roiSize: number | readonly number[];
  swBatchSize?: number;
  overlap?: number | readonly number[];
  mode?: BlendMode;
  sigmaScale?: number | readonly number[];
  paddingMode?: PaddingMode;
  cval?: number;
  /**
   * threads that blend windows (main thread included): 'auto' uses up to 4 cores when there is enough to
   * blend (see BLEND_WORK_PER_THREAD), else 1
   */
  blendThreads?: number | 'auto';
  /**
   * most values (all channels) of one slab handed on by `inferSlabs`: the rows final after a batch are handed
   * on in slabs of this size at most (a 105-class output's final rows are otherwise several hundred MB at once)
   */
  maxSlabValues?: number;
}

/** blended values per output channel (windows x window voxels) below which a thread costs more than it saves */
const BLEND_WORK_PER_THREAD = 2 ** 24;
const MAX_BLEND_THREADS = 4;
/** 64 MB of float32 */
const MAX_SLAB_VALUES = 2 ** 24;

export interface SlabResult {
  /** output channels K */
  channels: number;
  /** the output's spatial shape (= the input's) */
  spatialShape: number[];
  plan: WindowPlan;
}

export class SlidingWindowInferer implements SlabInferer {
  readonly options: Required<SlidingWindowOptions>;
  /** the last gaussian map, by roi (MONAI's cache_roi_weight_map): a 128³ map takes a while to compute */
  private cachedWeights?: { roi: string; map: Float32Array };

  constructor(options: SlidingWindowOptions) {
    this.options = {
      roiSize: options.roiSize,
      swBatchSize: options.swBatchSize ?? 1,
      overlap: options.overlap ?? 0.25,
      mode: options.mode ?? 'constant',
      sigmaScale: options.sigmaScale ?? 0.125,
      paddingMode: options.paddingMode ?? 'constant',
      cval: options.cval ?? 0,
      blendThreads: options.blendThreads ?? 'auto',
      maxSlabValues: options.maxSlabValues ?? MAX_SLAB_VALUES,
    };
    const threads = this.options.blendThreads;
    if (threads !== 'auto' && (!Number.isInteger(threads) || threads < 1)) {
      throw new BundleError('invalid_arguments', `blend_threads must be a positive integer or "auto", got ${threads}.`);
    }
    if (!Number.isInteger(this.options.swBatchSize) || this.options.swBatchSize < 1) {
      throw new BundleError('invalid_arguments', `sw_batch_size must be a positive integer, got ${this.options.swBatchSize}.`);
    }
  }

  /** The window plan for an input of this spatial shape. */
  plan(spatialShape: readonly number[]): WindowPlan {
    const { roiSize, overlap } = this.options;
    const roi = typeof roiSize === 'number' ? spatialShape.map(() => roiSize) : roiSize;
    return planWindows(spatialShape, roi, overlap);
  }

  async infer(input: Tensor, network: Network | Predictor, hooks: InferHooks = {}): Promise<Tensor> {
    let out: Float32Array | undefined;
    const result = await this.run(input, network, hooks, async (blender, boundary) => {
      out ??= blender.allocate((blender.channels * input.data.length) / input.dims[1]);
      await blender.flushInto(boundary, out);
    });
    return { type: 'float32', dims: [1, result.channels, ...result.spatialShape], data: out! };
  }

  /**
   * Runs every window and calls `onSlab` with each finished slab `[K, x1 - x0, ...rest]` in increasing x,
   * covering the whole output exactly once. A slab's data may be reused once `onSlab` has settled: copy
   * what you keep. Peak memory: the input, one batch of windows and its output, the open rows of the
   * accumulator (`bufferRows` along axis 0) and one slab (`maxSlabValues`).
   */
  async inferSlabs(
    input: Tensor,
    network: Network | Predictor,
    onSlab: (slab: Slab) => void | Promise<void>,
    hooks: InferHooks = {},
  ): Promise<SlabResult> {
    const plane = input.dims.slice(3).reduce((a, b) => a * b, 1);
    return this.run(input, network, hooks, async (blender, boundary) => {
      const rows = Math.max(1, Math.floor(this.options.maxSlabValues / (blender.channels * plane)));
      for (let end = blender.baseRow; end < boundary; ) {
        end = Math.min(end + rows, boundary);
        const slab = await blender.flush(end);
        if (slab) await onSlab(slab);
      }
    });
  }

  private weightsFor(roiSize: readonly number[]): Float32Array {
    const roi = roiSize.join(',');
    if (this.cachedWeights?.roi !== roi) this.cachedWeights = { roi, map: importanceMap(roiSize, this.options.mode, this.options.sigmaScale) };
    return this.cachedWeights.map;
  }

  /** The window loop; after each batch, `finish` takes the rows below `boundary`, now final. */
  private async run(
    input: Tensor,
    network: Network | Predictor,
    hooks: InferHooks,
    finish: (blender: WindowBlender, boundary: number) => Promise<void>,
  ): Promise<SlabResult> {
    const spatialShape = checkInput(input);
    const plan = this.plan(spatialShape);
    const source: WindowSource = {
      data: input.data as Float32Array,
      channels: input.dims[1],
      spatialShape,
      padLow: plan.pad.map((p) => p[0]),
      paddingMode: this.options.paddingMode,
      cval: this.options.cval,
    };
    const { roiSize, numWindows } = plan;
    const predictor = asPredictor(network);
    const weights = this.options.mode === 'constant' ? null : this.weightsFor(roiSize);
    const windowSize = roiSize.reduce((a, b) => a * b, 1);
    const batchSize = this.options.swBatchSize;
    let blender: WindowBlender | undefined;
    let batchBuffer: Float32Array | undefined;
    // started before the first window so that they boot while it runs
    const helpers = acquireBlendWorkers(this.blendThreads(numWindows * windowSize) - 1);
    try {
      for (let first = 0; first < numWindows; first += batchSize) {
        const n = Math.min(batchSize, numWindows - first);
        const starts = Array.from({ length: n }, (_, i) => windowStart(plan, first + i));
        // one buffer for every batch (fresh 10-100 MB arrays per window cost page faults); see Predictor
        batchBuffer ??= new Float32Array(batchSize * source.channels * windowSize);
        const batch = n === batchSize ? batchBuffer : batchBuffer.subarray(0, n * source.channels * windowSize);
        let offset = 0;
        for (const start of starts) offset = copyWindow(source, start, roiSize, batch, offset);
        const output = await predictor(
          { type: 'float32', dims: [n, source.channels, ...roiSize], data: batch },
          { starts, roiSize: [...roiSize], pad: plan.pad.map((p) => [p[0], p[1]]) },
        );
        const channels = checkPredictorOutput(output, n, roiSize, `windows ${first + 1}-${first + n} of ${numWindows}`);
        if (!blender) {
          const geometry = { spatialShape: source.spatialShape, paddedShape: plan.paddedShape, padLow: source.padLow, roiSize, capacity: bufferRows(plan, batchSize), startsPerAxis: plan.startsPerAxis };
          blender = helpers.length > 0 ? new ParallelBlender(geometry, channels, weights, helpers) : new SerialBlender(geometry, channels, weights);
        }
        if (channels !== blender.channels) {
          throw new BundleError('shape_mismatch', `The network returned ${channels} channels for windows ${first + 1}-${first + n} but ${blender.channels} before.`);
        }
        await blender.add(starts, (output.data as Float32Array).subarray(0, n * channels * windowSize));
        const done = first + n;
        hooks.onProgress?.(done, numWindows);
        await finish(blender, done < numWindows ? windowStart(plan, done)[0] : plan.paddedShape[0]);
      }
    } finally {
      await blender?.close();
      await releaseBlendWorkers(helpers);
    }
    return { channels: blender!.channels, spatialShape: [...source.spatialShape], plan };
  }

  /** threads to blend with, from the blended values per output channel (the channel count is not known yet) */
  private blendThreads(work: number): number {
    const setting = this.options.blendThreads;
    if (setting !== 'auto') return setting;
    return Math.min(MAX_BLEND_THREADS, os.availableParallelism(), Math.max(1, Math.floor(work / BLEND_WORK_PER_THREAD)));
  }
}

/** Checks the input is `[1, C, ...spatial]` float32; returns the spatial shape. */
function checkInput(input: Tensor): number[] {
  const dims = input?.dims;
  if (!Array.isArray(dims) || dims.length < 4 || dims[0] !== 1) {
    throw new BundleError('shape_mismatch', `The sliding-window inferer needs an input of shape [1, C, X, Y(, Z)], got [${dims?.join(', ')}].`, {
      hint: 'the image must be channel-first (EnsureChannelFirstd) with a batch of one',
    });
  }
  if (!(input.data instanceof Float32Array)) {
    throw new BundleError('shape_mismatch', `The sliding-window inferer needs float32 input, got ${input.type}.`, {
      hint: 'cast the image to float32 in preprocessing (EnsureTyped or CastToTyped with dtype float32)',
    });
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (input.data.length !== size) {
    throw new BundleError('shape_mismatch', `The input holds ${input.data.length} values but its shape [${dims.join(', ')}] needs ${size}.`);
  }
  return dims.slice(2);
}

/**
 * Rows along axis 0 the accumulator must hold: after each batch the rows below the next window's start are
 * flushed, so a batch needs from that start to the end of its last window (one roi when a batch stays in one
 * row of windows; more when `sw_batch_size` spans rows).
 */
export function bufferRows(plan: WindowPlan, batchSize: number): number {
  const roi0 = plan.roiSize[0];
  let rows = 0;
  for (let first = 0; first < plan.numWindows; first += batchSize) {
    const last = Math.min(first + batchSize, plan.numWindows) - 1;
    rows = Math.max(rows, windowStart(plan, last)[0] + roi0 - windowStart(plan, first)[0]);
  }
  return Math.min(rows, plan.paddedShape[0]);
}
