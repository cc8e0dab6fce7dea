/**
 * The inference layer's registry entries: `OnnxNetwork`, `SimpleInferer`, `SlidingWindowInferer`. Arguments
 * are MONAI's snake_case names; `create` maps them to the camelCase options.
 */
import path from 'node:path';
import { BundleError } from '../errors/index.js';
import type { ComponentEntry, JsonSchema } from '../registry/ComponentEntry.js';
import { OnnxNetwork, type NameMapping } from './OnnxNetwork.js';
import { EXECUTION_PROVIDERS, GRAPH_OPTIMIZATION_LEVELS, type GraphOptimizationLevel } from './OnnxSession.js';
import { simpleInfererEntry } from './SimpleInferer.js';
import { SliceInferer } from './SliceInferer.js';
import { SlidingWindowInferer, type SlidingWindowOptions } from './SlidingWindowInferer.js';
import type { PaddingMode } from './windowInput.js';
import type { BlendMode } from './windows.js';

const nameMapping: JsonSchema = {
  oneOf: [
    { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, minProperties: 1 },
  ],
};

interface OnnxNetworkArgs {
  path: string;
  execution_providers?: string[];
  intra_op_num_threads?: number;
  inter_op_num_threads?: number;
  graph_optimization_level?: GraphOptimizationLevel;
  enable_cpu_mem_arena?: boolean;
  enable_mem_pattern?: boolean;
  precision?: 'fp32' | 'fp16';
  fp16_path?: string;
  input_names?: NameMapping;
  output_names?: NameMapping;
  optional?: boolean;
}

export const onnxNetworkEntry: ComponentEntry<OnnxNetworkArgs, OnnxNetwork> = {
  name: 'OnnxNetwork',
  description: 'A network from an ONNX file (relative to the bundle root), run with onnxruntime',
  argsSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'the .onnx file, relative to the bundle root' },
      execution_providers: {
        type: 'array',
        items: { enum: [...EXECUTION_PROVIDERS] },
        default: ['cpu'],
        description: 'in order of preference; unavailable ones are skipped with a warning, cpu is the last resort',
      },
      intra_op_num_threads: { type: 'integer', minimum: 0, description: "threads inside one operator (0: onnxruntime decides); more than the machine's cores are clamped to the core count" },
      inter_op_num_threads: { type: 'integer', minimum: 0, description: "more than the machine's cores are clamped to the core count" },
      graph_optimization_level: { enum: [...GRAPH_OPTIMIZATION_LEVELS], default: 'all' },
      enable_cpu_mem_arena: {
        type: 'boolean',
        default: true,
        description: "onnxruntime's CPU memory arena; false lowers peak memory of large whole-volume networks",
      },
      enable_mem_pattern: {
        type: 'boolean',
        description:
          "onnxruntime's memory pattern: one planned block for all activations, allocated after the first run beside the arena's; default: off while the arena is on (lower peak memory, same speed), on while it is off",
      },
      precision: { enum: ['fp32', 'fp16'], default: 'fp32', description: 'fp16 runs fp16_path or the <name>_fp16.onnx sibling' },
      fp16_path: { type: 'string', minLength: 1, description: 'the fp16 model, relative to the bundle root' },
      input_names: { ...nameMapping, description: 'model inputs to use, in order, or {name: model input name}' },
      output_names: { ...nameMapping, description: 'model outputs to use, in order, or {name: model output name}' },
      optional: {
        type: 'boolean',
        default: false,
        description: 'a missing file is reported when the network is first run, not when the config is built (graphs that older exports lack)',
      },
    },
    required: ['path'],
    additionalProperties: false,
  },
  create(args, context) {
    try {
      return new OnnxNetwork({
        path: path.resolve(context.bundleRoot, args.path),
        fp16Path: args.fp16_path === undefined ? undefined : path.resolve(context.bundleRoot, args.fp16_path),
        precision: args.precision,
        executionProviders: args.execution_providers,
        intraOpNumThreads: args.intra_op_num_threads,
        interOpNumThreads: args.inter_op_num_threads,
        graphOptimizationLevel: args.graph_optimization_level,
        enableCpuMemArena: args.enable_cpu_mem_arena,
        enableMemPattern: args.enable_mem_pattern,
        inputNames: args.input_names,
        outputNames: args.output_names,
        optional: args.optional,
        logger: context.logger,
        id: context.id,
      });
    } catch (e) {
      throw e instanceof BundleError ? e.withLocation({ id: context.id }) : e;
    }
  },
};

const perAxis = (item: JsonSchema): JsonSchema => ({ oneOf: [item, { type: 'array', items: item, minItems: 1 }] });
const ignored = (what: string): JsonSchema => ({ description: `accepted for MONAI compatibility; ${what}` });

export interface SlidingWindowArgs {
  roi_size: number | number[];
  sw_batch_size?: number;
  overlap?: number | number[];
  mode?: BlendMode;
  sigma_scale?: number | number[];
  padding_mode?: PaddingMode;
  cval?: number;
  blend_threads?: number | 'auto';
}

const slidingWindowProperties: Record<string, JsonSchema> = {
  roi_size: { ...perAxis({ type: 'integer' }), description: 'window size per spatial axis; non-positive entries take the image size' },
  sw_batch_size: { type: 'integer', minimum: 1, default: 1 },
  overlap: { ...perAxis({ type: 'number', minimum: 0, exclusiveMaximum: 1 }), default: 0.25 },
  mode: { enum: ['constant', 'gaussian'], default: 'constant' },
  sigma_scale: { ...perAxis({ type: 'number', exclusiveMinimum: 0 }), default: 0.125 },
  padding_mode: { enum: ['constant', 'replicate'], default: 'constant' },
  cval: { type: 'number', default: 0 },
  blend_threads: {
    oneOf: [{ type: 'integer', minimum: 1 }, { const: 'auto' }],
    default: 'auto',
    description: 'threads that blend the windows (the main thread included); "auto" uses up to 4 cores on large inputs',
  },
  sw_device: ignored('onnxruntime places the windows (see the network execution_providers)'),
  device: ignored('the output is always stitched in host memory'),
  progress: ignored('progress is reported by the progress handler'),
  cache_roi_weight_map: ignored('the weight map is computed once per run'),
  cpu_thresh: ignored('stitching always happens in host memory'),
  buffer_steps: ignored('stitching is always slab by slab along the first axis'),
  buffer_dim: ignored('stitching is always slab by slab along the first axis'),
  with_coord: ignored('window positions are always passed to predictor functions'),
};

/** The sliding-window inferer's argument schema, with `overrides` (SliceInferer's roi_size, spatial_dim). */
export function slidingWindowArgsSchema(overrides: Record<string, JsonSchema> = {}): JsonSchema {
  return { type: 'object', properties: { ...slidingWindowProperties, ...overrides }, required: ['roi_size'], additionalProperties: false };
}

export function slidingWindowOptions(args: SlidingWindowArgs): SlidingWindowOptions {
  return {
    roiSize: args.roi_size,
    swBatchSize: args.sw_batch_size,
    overlap: args.overlap,
    mode: args.mode,
    sigmaScale: args.sigma_scale,
    paddingMode: args.padding_mode,
    cval: args.cval,
    blendThreads: args.blend_threads,
  };
}

export const slidingWindowInfererEntry: ComponentEntry<SlidingWindowArgs, SlidingWindowInferer> = {
  name: 'SlidingWindowInferer',
  aliases: ['monai.inferers.SlidingWindowInferer', 'SlidingWindowInfererAdapt', 'monai.inferers.SlidingWindowInfererAdapt'],
  description: "Runs the network over overlapping windows and blends them, as MONAI's sliding_window_inference",
  argsSchema: slidingWindowArgsSchema(),
  create: (args) => new SlidingWindowInferer(slidingWindowOptions(args)),
};

export const sliceInfererEntry: ComponentEntry<SlidingWindowArgs & { spatial_dim?: number }, SliceInferer> = {
  name: 'SliceInferer',
  aliases: ['monai.inferers.SliceInferer'],
  description: "Runs a 2-D network over the slices of a 3-D volume along spatial_dim, as MONAI's SliceInferer",
  argsSchema: slidingWindowArgsSchema({
    roi_size: { oneOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 }], description: "the 2-D window (the network's slice size)" },
    spatial_dim: { type: 'integer', enum: [0, 1, 2], default: 0, description: 'the axis the slices are taken along: 0 X, 1 Y, 2 Z' },
    overlap: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.25 },
  }),
  create: (args) => new SliceInferer({ ...slidingWindowOptions(args), spatialDim: args.spatial_dim }),
};

export const inferenceEntries: ComponentEntry[] = [onnxNetworkEntry, simpleInfererEntry, slidingWindowInfererEntry, sliceInfererEntry];
