/**
 * VISTA3D as three graphs (spec section 8.3), each a `Network` (an ONNX session or anything with `run`):
 * - encoder:    image [b, 1, P, P, P] float32 -> feat_point, feat_auto, each [b, C, P, P, P]
 * - class head: feat_auto [1, C, P, P, P], class_ids int64 [K, 1] -> logits [1, K, P, P, P]
 * - point head: feat_point [1, C, P, P, P], coords float32 [K, N, 3] (patch-local voxel indices),
 *               labels int64 [K, N], zeroshot bool [K] -> logits [1, K, P, P, P]
 * Feeds are matched by these names; a graph whose names differ is fed by position.
 * `maxPromptSize` bounds the class-head batch (inference_trt.json's `max_prompt_size`): longer id lists run in
 * chunks, which gives the same logits because each id's output depends only on that id.
 */
import { BundleError } from '../../errors/index.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import type { Network, Tensor } from '../../inference/types.js';

export const ENCODER_INPUTS = ['image'] as const;
export const ENCODER_OUTPUTS = ['feat_point', 'feat_auto'] as const;
export const CLASS_HEAD_INPUTS = ['feat_auto', 'class_ids'] as const;
export const POINT_HEAD_INPUTS = ['feat_point', 'coords', 'labels', 'zeroshot'] as const;

/** the largest class-head output requested in one call (16 ids at P = 128) */
const HEAD_OUTPUT_BYTES = 128 * 1024 ** 2;

export interface Vista3dNetworkOptions {
  encoder: Network;
  classHead: Network;
  pointHead?: Network | null;
  /** the class-head session to use when `useAcceleratedHead` (inference_trt.json's `head`) */
  acceleratedClassHead?: Network | null;
  useAcceleratedHead?: boolean;
  maxPromptSize?: number | null;
}

export interface Features {
  featPoint: Tensor;
  featAuto: Tensor;
}

export class Vista3dNetwork {
  readonly name = 'Vista3dNetwork';
  /** verify_net_in_out checks each graph against its contract (engine/verifyNetInOut.ts's CompositeNetwork) */
  verifyGraphs(image: Tensor): Promise<string[]> {
    return verifyVista3dGraphs(this, image);
  }
  readonly encoder: Network;
  readonly classHead: Network;
  readonly pointHead: Network | null;
  readonly maxPromptSize: number | null;
  /** windows encoded so far (a batch of b windows counts b): how often the encoder really ran */
  encodedWindows = 0;

  constructor(options: Vista3dNetworkOptions) {
    this.encoder = options.encoder;
    this.classHead = options.useAcceleratedHead && options.acceleratedClassHead ? options.acceleratedClassHead : options.classHead;
    this.pointHead = options.pointHead ?? null;
    this.maxPromptSize = options.maxPromptSize ?? null;
    if (this.maxPromptSize !== null && !(Number.isInteger(this.maxPromptSize) && this.maxPromptSize >= 1)) {
      throw new BundleError('invalid_arguments', `max_prompt_size must be a positive integer, got ${this.maxPromptSize}.`, { location: { path: '/max_prompt_size' } });
    }
  }

  /** Both feature maps for a batch of windows `[b, 1, ...roi]`. */
  async encode(windows: Tensor): Promise<Features> {
    this.encodedWindows += windows.dims[0] ?? 1;
    const out = await run(this.encoder, 'encoder', ENCODER_INPUTS, [windows]);
    const [featPoint, featAuto] = pick(this.encoder, 'encoder', out, ENCODER_OUTPUTS);
    return { featPoint, featAuto };
  }

  /**
   * Class-head logits of window `index` of `features` for `classIds`, written as `[K, ...roi]` into `out` at
   * `offset` (float32). Runs in chunks of at most `maxPromptSize` ids.
   */
  async classLogits(features: Features, index: number, classIds: readonly number[], out: Float32Array, offset: number): Promise<void> {
    const feat = windowOf(features.featAuto, index);
    const voxels = feat.dims.slice(2).reduce((a, b) => a * b, 1);
    // besides max_prompt_size, cap one head output at HEAD_OUTPUT_BYTES (same logits: ids are independent)
    const chunk = Math.min(this.maxPromptSize ?? classIds.length, Math.max(1, Math.floor(HEAD_OUTPUT_BYTES / (4 * voxels))));
    for (let first = 0; first < classIds.length; first += chunk) {
      const ids = classIds.slice(first, first + chunk);
      const idTensor: Tensor = { type: 'int64', dims: [ids.length, 1], data: BigInt64Array.from(ids.map(BigInt)) };
      const [logits] = pick(this.classHead, 'class head', await run(this.classHead, 'class head', CLASS_HEAD_INPUTS, [feat, idTensor]), ['logits']);
      checkLogits(logits, ids.length, voxels, 'class head');
      out.set(logits.data as Float32Array, offset + first * voxels);
    }
  }

  /** Point-head logits `[K, ...roi]` for one window; clicks `[K][N][3]` are patch-local. */
  async pointLogits(features: Features, index: number, coords: number[][][], labels: number[][], zeroShot: boolean[]): Promise<Float32Array> {
    if (!this.pointHead) {
      throw new BundleError('invalid_arguments', "Network does not have attribute 'point_head'.", {
        hint: 'give the Vista3dNetwork a point_head graph to use point prompts',
      });
    }
    const feat = windowOf(features.featPoint, index);
    const k = coords.length;
    const n = coords[0]?.length ?? 0;
    const feeds: Tensor[] = [
      feat,
      { type: 'float32', dims: [k, n, 3], data: Float32Array.from(coords.flat(2)) },
      { type: 'int64', dims: [k, n], data: BigInt64Array.from(labels.flat().map(BigInt)) },
      { type: 'bool', dims: [k], data: Uint8Array.from(zeroShot.map((z) => (z ? 1 : 0))) },
    ];
    const [logits] = pick(this.pointHead, 'point head', await run(this.pointHead, 'point head', POINT_HEAD_INPUTS, feeds), ['logits']);
    const voxels = feat.dims.slice(2).reduce((a, b) => a * b, 1);
    checkLogits(logits, k, voxels, 'point head');
    return logits.data as Float32Array;
  }
}

/**
 * The contract of each graph (spec 8.3), checked on one window `image` [1, 1, P, P, P] (verify_net_in_out):
 * the encoder gives two float32 feature maps [1, C, P, P, P] with the same C; the class head gives float32
 * logits [1, K, P, P, P] for K class ids; the point head (when present) the same for K prompts of clicks.
 * One line per graph, or `shape_mismatch` naming the graph, what it returned and what the contract says.
 */
export async function verifyVista3dGraphs(net: Vista3dNetwork, image: Tensor): Promise<string[]> {
  const spatial = image.dims.slice(2);
  const expectDims = (part: string, name: string, t: Tensor, dims: number[]): void => {
    if (t.type !== 'float32' || t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
      throw new BundleError('shape_mismatch', `The VISTA3D ${part} returned ${name} [${t.dims.join(', ')}] ${t.type}; its contract is [${dims.join(', ')}] float32.`, {
        hint: 'export the graphs with the VISTA3D ONNX contract (bundle/docs/README.md, "The network")',
      });
    }
  };
  const shape = (t: Tensor) => `[${t.dims.join(', ')}] ${t.type}`;
  const { featPoint, featAuto } = await net.encode(image);
  const channels = featAuto.dims[1] ?? 0;
  expectDims('encoder', 'feat_auto', featAuto, [1, channels, ...spatial]);
  expectDims('encoder', 'feat_point', featPoint, [1, channels, ...spatial]);
  const lines = [`encoder: image ${shape(image)} -> feat_point ${shape(featPoint)}, feat_auto ${shape(featAuto)}`];
  const ids = [1, 3];
  const ids64: Tensor = { type: 'int64', dims: [ids.length, 1], data: BigInt64Array.from(ids.map(BigInt)) };
  const [classLogits] = pick(net.classHead, 'class head', await run(net.classHead, 'class head', CLASS_HEAD_INPUTS, [featAuto, ids64]), ['logits']);
  expectDims('class head', 'logits', classLogits!, [1, ids.length, ...spatial]);
  lines.push(`class head: feat_auto, class_ids [${ids.length}, 1] int64 -> logits ${shape(classLogits!)}`);
  if (net.pointHead) {
    const centre = spatial.map((d) => Math.floor(d / 2));
    const feeds: Tensor[] = [
      featPoint,
      { type: 'float32', dims: [1, 1, 3], data: Float32Array.from(centre) },
      { type: 'int64', dims: [1, 1], data: BigInt64Array.from([1n]) },
      { type: 'bool', dims: [1], data: Uint8Array.from([0]) },
    ];
    const [pointLogits] = pick(net.pointHead, 'point head', await run(net.pointHead, 'point head', POINT_HEAD_INPUTS, feeds), ['logits']);
    expectDims('point head', 'logits', pointLogits!, [1, 1, ...spatial]);
    lines.push(`point head: feat_point, coords [1, 1, 3], labels [1, 1], zeroshot [1] -> logits ${shape(pointLogits!)}`);
  } else lines.push('point head: none (point prompts unavailable)');
  return lines;
}

async function run(network: Network, part: string, names: readonly string[], tensors: Tensor[]): Promise<Record<string, Tensor>> {
  await network.load?.();
  const declared = network.inputNames;
  const byName = names.every((n) => declared.includes(n));
  if (!byName && declared.length !== names.length) {
    throw new BundleError('model_error', `The VISTA3D ${part} takes inputs ${JSON.stringify(declared)}; expected ${names.length} inputs (${names.join(', ')}).`, {
      hint: 'export the graphs with the input names of the VISTA3D ONNX contract (see the bundle docs)',
    });
  }
  const feeds: Record<string, Tensor> = {};
  names.forEach((name, i) => (feeds[byName ? name : declared[i]!] = tensors[i]!));
  try {
    return await network.run(feeds);
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError('model_error', `The VISTA3D ${part} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function pick(network: Network, part: string, outputs: Record<string, Tensor>, names: readonly string[]): Tensor[] {
  const declared = network.outputNames.length > 0 ? network.outputNames : Object.keys(outputs);
  const byName = names.every((n) => n in outputs);
  return names.map((name, i) => {
    const tensor = byName ? outputs[name] : outputs[declared[i]!];
    if (!tensor) {
      throw new BundleError('model_error', `The VISTA3D ${part} returned no output "${name}".`, {
        hint: `its outputs must be ${names.join(', ')} (in that order)`,
      });
    }
    return tensor;
  });
}

/** Window `index` of a batch of feature maps `[b, C, ...]`, as `[1, C, ...]` (a view, no copy). */
function windowOf(features: Tensor, index: number): Tensor {
  const [b, ...rest] = features.dims;
  if (b === 1) return features;
  const size = rest.reduce((a, c) => a * c, 1);
  return { type: features.type, dims: [1, ...rest], data: (features.data as Float32Array).subarray(index * size, (index + 1) * size) };
}

function checkLogits(logits: Tensor, k: number, voxels: number, part: string): void {
  if (!(logits.data instanceof Float32Array) || logits.data.length !== k * voxels) {
    throw new BundleError('shape_mismatch', `The VISTA3D ${part} returned shape [${logits.dims.join(', ')}]; expected [1, ${k}, ...patch] float32.`, {
      hint: 'the heads must return one logit map per prompt over the whole patch',
    });
  }
}

export const vista3dNetworkEntry: ComponentEntry = {
  name: 'Vista3dNetwork',
  aliases: ['monai.networks.nets.vista3d132'],
  description: 'VISTA3D as three graphs: encoder, class head and point head (ONNX sessions)',
  argsSchema: {
    type: 'object',
    properties: {
      encoder: { description: 'the encoder network: image -> feat_point, feat_auto' },
      class_head: { description: 'the class head: feat_auto, class_ids -> logits' },
      point_head: { description: 'the point head: feat_point, coords, labels, zeroshot -> logits' },
      accelerated_class_head: { description: 'a second class-head session (e.g. other execution providers), used when head_trt_enabled' },
      head_trt_enabled: { type: 'boolean', default: false, description: 'use accelerated_class_head for the class head' },
      max_prompt_size: { type: ['integer', 'null'], minimum: 1, description: 'largest class-head batch; longer id lists run in chunks' },
    },
    required: ['encoder', 'class_head'],
    additionalProperties: false,
  },
  create(args: Record<string, any>) {
    return new Vista3dNetwork({
      encoder: args.encoder,
      classHead: args.class_head,
      pointHead: args.point_head ?? null,
      acceleratedClassHead: args.accelerated_class_head ?? null,
      useAcceleratedHead: args.head_trt_enabled ?? false,
      maxPromptSize: args.max_prompt_size ?? null,
    });
  },
};
