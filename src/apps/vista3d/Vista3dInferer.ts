/**
 * The model-zoo `scripts.inferer.Vista3dInferer` (spec 3.1-3.3): zero-shot ids (> 132) drop the class head;
 * clicks with `use_point_window` go to the point-window inferer; everything else slides windows over the whole
 * image with the configured overlap, blend mode and padding (MONAI 0.5.4 ignores them and uses 0.25/constant;
 * the ported config states those values). With `use_point_window` false, clicks are shifted by the padding
 * (MONAI leaves them off by the pad on images smaller than the roi).
 *
 * Several prompts (everything mode: 117) are never held as `[K, X, Y, Z]` logits: windows are stitched slab by
 * slab and folded into a running arg-max (VistaPostTransformd's rule), and when even one slab of all K
 * channels would exceed `stitchMemoryBytes`, the ids are split into passes; the encoder still runs once per
 * window: later passes read its class-head features back from a FeatureCache (a temporary file).
 */
import { BundleError } from '../../errors/index.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { bufferRows, SlidingWindowInferer } from '../../inference/SlidingWindowInferer.js';
import type { InferHooks, Inferer, Predictor, Tensor, WindowBatchInfo } from '../../inference/types.js';
import { checkPaddingMode, copyWindow, type PaddingMode } from '../../inference/windowInput.js';
import type { BlendMode } from '../../inference/windows.js';
import { LAST_SUPPORTED_ID } from './labels.js';
import { FeatureCache } from './featureCache.js';
import type { Features, Vista3dNetwork } from './network.js';
import { forwardPatch, type PatchPrompts } from './patchForward.js';
import { pointWindowInfer } from './pointWindows.js';
import { foldArgmax } from './VistaPostTransformd.js';

export interface Vista3dInfererOptions {
  roiSize: number | readonly number[];
  overlap?: number | readonly number[];
  mode?: BlendMode;
  paddingMode?: PaddingMode;
  swBatchSize?: number;
  usePointWindow?: boolean;
  pointStart?: number;
  /** bound on the stitching buffers (slab rows plus one batch of window outputs) for many prompts; default 768 MiB */
  stitchMemoryBytes?: number;
}

export interface Vista3dRequest {
  /** validated, expanded class ids (everything mode: the 117), or null for clicks only */
  classIds: readonly number[] | null;
  /** clicks in the input's index frame (network space), or null */
  points: readonly (readonly number[])[] | null;
  pointLabels: readonly number[] | null;
  /** `[1, 1, X, Y, Z]` pre-sigmoid logits of an earlier result (MONAI's prev_mask) */
  prevMask?: Tensor | null;
}

export interface Vista3dResult {
  /** `[1, K, X, Y, Z]` logits, or `[1, 1, X, Y, Z]` arg-max indices (1-based, 0 background) when `argmaxDone` */
  output: Tensor;
  argmaxDone: boolean;
  /** windows of the sliding-window plan (null on the point-window path) and encoder runs over them */
  windows: number | null;
  encoderRuns: number;
}

const DEFAULT_STITCH_BYTES = 768 * 1024 ** 2;

export class Vista3dInferer implements Inferer {
  readonly name = 'Vista3dInferer';
  readonly options: Required<Omit<Vista3dInfererOptions, 'roiSize'>> & { roiSize: readonly number[] | number };
  private readonly sliding: SlidingWindowInferer;

  constructor(options: Vista3dInfererOptions) {
    this.options = {
      roiSize: options.roiSize,
      overlap: options.overlap ?? 0.25,
      mode: options.mode ?? 'constant',
      paddingMode: checkPaddingMode(options.paddingMode ?? 'constant'),
      swBatchSize: options.swBatchSize ?? 1,
      usePointWindow: options.usePointWindow ?? false,
      pointStart: options.pointStart ?? 0,
      stitchMemoryBytes: options.stitchMemoryBytes ?? DEFAULT_STITCH_BYTES,
    };
    this.sliding = new SlidingWindowInferer({
      roiSize: options.roiSize,
      overlap: this.options.overlap,
      mode: this.options.mode,
      paddingMode: this.options.paddingMode,
      swBatchSize: this.options.swBatchSize,
      cval: 0,
    });
  }

  /** Prompts are required: this inferer runs through Vista3dEvaluator, which validates them. */
  infer(): Promise<Tensor> {
    throw new BundleError('invalid_arguments', 'Vista3dInferer needs prompts and runs only inside Vista3dEvaluator.', {
      hint: 'use "_target_": "Vista3dEvaluator" as the evaluator of a VISTA3D bundle',
    });
  }

  async run(input: Tensor, network: Vista3dNetwork, request: Vista3dRequest, hooks: InferHooks = {}): Promise<Vista3dResult> {
    const zeroShot = request.classIds?.some((id) => id > LAST_SUPPORTED_ID) ?? false;
    const prompts: PatchPrompts = {
      classIds: zeroShot ? null : request.classIds,
      promptClass: request.classIds?.[0] ?? null,
      points: request.points,
      pointLabels: request.pointLabels,
    };
    const spatialShape = input.dims.slice(2);
    const before = network.encodedWindows;
    const stats = (windows: number | null) => ({ windows, encoderRuns: network.encodedWindows - before });
    if (this.options.usePointWindow && request.points) {
      const roiSize = this.sliding.plan(spatialShape).roiSize;
      const output = await pointWindowInfer(input, network, prompts, { roiSize, pointStart: this.options.pointStart, prevMask: request.prevMask ?? null }, hooks);
      return { output, argmaxDone: false, ...stats(null) };
    }
    const windows = this.sliding.plan(spatialShape).numWindows;
    const objects = prompts.classIds?.length ?? 1;
    if (objects === 1) {
      const output = await this.sliding.infer(input, this.predictor(network, prompts, request.prevMask ?? null), hooks);
      return { output, argmaxDone: false, ...stats(windows) };
    }
    const output = await this.argmaxByPasses(input, network, prompts.classIds!, hooks);
    return { output, argmaxDone: true, ...stats(windows) };
  }

  /** Each window through forwardPatch; clicks and the previous mask shifted into padded space. */
  private predictor(network: Vista3dNetwork, prompts: PatchPrompts, prevMask: Tensor | null, cache: FeatureCache | null = null): Predictor {
    let reusable: Float32Array | undefined;
    return async (batch: Tensor, info?: WindowBatchInfo): Promise<Tensor> => {
      if (!info) throw new BundleError('internal', 'Vista3dInferer needs window positions from the sliding-window inferer.');
      const padLow = info.pad.map((p) => p[0]);
      const roi = info.roiSize;
      const voxels = roi.reduce((a, b) => a * b, 1);
      const shifted: PatchPrompts = { ...prompts, points: prompts.points?.map((p) => p.map((c, axis) => c + padLow[axis]!)) ?? null };
      let features: Promise<Features> | undefined;
      const encode = () => (features ??= cache ? cache.get(info.starts.map((s) => s.join(',')).join(';'), () => network.encode(batch)) : network.encode(batch));
      const objects = prompts.classIds?.length ?? 1;
      // one output buffer per predictor, reused: the stitcher reads each batch before the next one is asked for
      const size = info.starts.length * objects * voxels;
      if (!reusable || reusable.length < size) reusable = new Float32Array(size);
      const out = reusable.subarray(0, size);
      for (const [i, start] of info.starts.entries()) {
        let previous: Float32Array | null = null;
        if (prevMask) {
          previous = new Float32Array(voxels);
          const spatialShape = prevMask.dims.slice(2);
          copyWindow({ data: prevMask.data as Float32Array, channels: 1, spatialShape, padLow, paddingMode: 'constant', cval: 0 }, start, roi, previous, 0);
        }
        const view = out.subarray(i * objects * voxels, (i + 1) * objects * voxels);
        const logits = await forwardPatch(network, encode, i, start, roi, shifted, previous, view);
        if (logits !== view) view.set(logits);
      }
      return { type: 'float32', dims: [info.starts.length, objects, ...roi], data: out };
    };
  }

  /** Class-head logits for many ids folded into a running arg-max, slab by slab, in as few passes as fit. */
  private async argmaxByPasses(input: Tensor, network: Vista3dNetwork, classIds: readonly number[], hooks: InferHooks): Promise<Tensor> {
    const spatialShape = input.dims.slice(2);
    const plan = this.sliding.plan(spatialShape);
    // per id: its rows in the stitch buffer, as many again in the slab handed on, and its logits in one batch
    // of window outputs plus their copy for the blending threads (parallelStitch.ts)
    const windowVoxels = plan.roiSize.reduce((a, b) => a * b, 1);
    const rows = bufferRows(plan, this.options.swBatchSize) * plan.paddedShape.slice(1).reduce((a, b) => a * b, 1);
    const perChannel = 4 * (2 * rows + 2 * this.options.swBatchSize * windowVoxels);
    const perPass = Math.max(1, Math.min(classIds.length, Math.floor(this.options.stitchMemoryBytes / perChannel)));
    const passes = Math.ceil(classIds.length / perPass);
    const rowSize = spatialShape.slice(1).reduce((a, b) => a * b, 1);
    const bestValue = new Float32Array(spatialShape[0]! * rowSize);
    const bestIndex = new Uint16Array(bestValue.length);
    const cache = passes > 1 ? new FeatureCache() : null;
    try {
      for (let pass = 0; pass < passes; pass++) {
        const first = pass * perPass;
        const ids = classIds.slice(first, first + perPass);
        const prompts: PatchPrompts = { classIds: ids, promptClass: null, points: null, pointLabels: null };
        const passHooks: InferHooks = {
          onProgress: (done, total) => hooks.onProgress?.(pass * total + done, passes * total),
        };
        await this.sliding.inferSlabs(
          input,
          this.predictor(network, prompts, null, cache),
          (slab) => {
            const n = (slab.x1 - slab.x0) * rowSize;
            foldArgmax(slab.data, ids.length, first + 1, bestValue, bestIndex, 0, slab.x0 * rowSize, n, n);
          },
          passHooks,
        );
      }
    } finally {
      cache?.close();
    }
    return { type: 'float32', dims: [1, 1, ...spatialShape], data: Float32Array.from(bestIndex) };
  }
}

export const vista3dInfererEntry: ComponentEntry = {
  name: 'Vista3dInferer',
  aliases: ['scripts.inferer.Vista3dInferer'],
  description: 'VISTA3D inference: sliding windows for label prompts and everything mode, point windows for clicks',
  argsSchema: {
    type: 'object',
    properties: {
      roi_size: {
        oneOf: [{ type: 'integer', minimum: 1 }, { type: 'array', items: { type: 'integer' }, minItems: 3, maxItems: 3 }],
        description: 'the patch size (multiples of 16 for VISTA3D)',
      },
      overlap: {
        oneOf: [{ type: 'number', minimum: 0, exclusiveMaximum: 1 }, { type: 'array', items: { type: 'number', minimum: 0, exclusiveMaximum: 1 } }],
        default: 0.25,
      },
      mode: { enum: ['constant', 'gaussian'], default: 'constant' },
      padding_mode: { enum: ['constant', 'replicate'], default: 'constant' },
      sw_batch_size: { type: 'integer', minimum: 1, default: 1 },
      use_point_window: { type: 'boolean', default: false },
      point_start: { type: 'integer', minimum: 0, default: 0 },
      stitch_memory_mb: {
        type: 'integer',
        minimum: 64,
        default: 768,
        description:
          'bound on the stitching buffers for many prompts (everything mode); when all ids do not fit, they are split into passes, and the encoder features of each window are kept in a temporary file between passes (the encoder runs once per window)',
      },
    },
    required: ['roi_size'],
    additionalProperties: false,
  },
  create(args: Record<string, any>) {
    return new Vista3dInferer({
      roiSize: args.roi_size,
      overlap: args.overlap,
      mode: args.mode,
      paddingMode: args.padding_mode,
      swBatchSize: args.sw_batch_size,
      usePointWindow: args.use_point_window,
      pointStart: args.point_start,
      ...(args.stitch_memory_mb !== undefined ? { stitchMemoryBytes: args.stitch_memory_mb * 1024 * 1024 } : {}),
    });
  },
};
