/**
 * VISTA3D as five graphs (spec section 8.3), each a `Network` (an ONNX session or anything with `run`):
 * - encoder:       image [b, 1, P, P, P] float32 -> the encoder levels (export_vista3d.py: down0 .. down4)
 * - point decoder: the encoder outputs it names -> feat_point [b, C, P, P, P]    (run only for clicks)
 * - class decoder: the encoder outputs it names -> class_features [b, C, P, P, P] (run only for class ids)
 * - class head:    class_features [1, C, P, P, P], class_ids int64 [K, 1] -> logits [1, K, P, P, P]
 * - point head:    feat_point [1, C, P, P, P], coords float32 [K, N, 3] (patch-local voxel indices),
 *                  labels int64 [K, N], zeroshot bool [K] -> logits [1, K, P, P, P]
 * So each prompt mode computes only its decoder branch (as MONAI's VISTA3D.forward does), and the class head's
 * costly convolutions run once per window in the class decoder, not once per chunk of class ids.
 * The earlier three-graph export (an encoder giving feat_point and feat_auto, a class head taking feat_auto)
 * still loads: its encoder runs both branches and its class head the convolutions per chunk.
 * Feeds are matched by these names; a graph whose names differ is fed by position.
 * `maxPromptSize` bounds the class-head batch (inference_trt.json's `max_prompt_size`): longer id lists run in
 * chunks, which gives the same logits because each id's output depends only on that id.
 */
import { BundleError } from '../../errors/index.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import type { Network, Tensor } from '../../inference/types.js';

export const ENCODER_INPUTS = ['image'] as const;
/** the outputs of a three-graph export's encoder (both decoder branches inside) */
export const LEGACY_ENCODER_OUTPUTS = ['feat_point', 'feat_auto'] as const;
export const CLASS_HEAD_INPUTS = ['class_features', 'class_ids'] as const;
export const POINT_HEAD_INPUTS = ['feat_point', 'coords', 'labels', 'zeroshot'] as const;

/** the largest class-head output requested in one call (16 ids at P = 128) */
const HEAD_OUTPUT_BYTES = 128 * 1024 ** 2;

export interface Vista3dNetworkOptions {
  encoder: Network;
  classHead: Network;
  pointHead?: Network | null;
  pointDecoder?: Network | null;
  classDecoder?: Network | null;
  /** the class-head session to use when `useAcceleratedHead` (inference_trt.json's `head`) */
  acceleratedClassHead?: Network | null;
  useAcceleratedHead?: boolean;
  maxPromptSize?: number | null;
}

/** The features of a batch of windows, each decoder branch computed on first use and kept. */
export interface Features {
  /** what the class head takes: class_features (five graphs) or feat_auto (three-graph export) */
  classFeatures(): Promise<Tensor>;
  pointFeatures(): Promise<Tensor>;
  /** the encoder's outputs by name (absent for features read back from a cache) */
  encoded?: Record<string, Tensor>;
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
  readonly pointDecoder: Network | null;
  readonly classDecoder: Network | null;
  readonly maxPromptSize: number | null;
  /** windows encoded so far (a batch of b windows counts b): how often the encoder really ran */
  encodedWindows = 0;
  /** windows through each decoder so far (five-graph exports; a three-graph encoder runs both every time) */
  readonly decodedWindows = { point: 0, class: 0 };

  constructor(options: Vista3dNetworkOptions) {
    this.encoder = options.encoder;
    this.classHead = options.useAcceleratedHead && options.acceleratedClassHead ? options.acceleratedClassHead : options.classHead;
    this.pointHead = options.pointHead ?? null;
    this.pointDecoder = options.pointDecoder ?? null;
    this.classDecoder = options.classDecoder ?? null;
    this.maxPromptSize = options.maxPromptSize ?? null;
    if (this.maxPromptSize !== null && !(Number.isInteger(this.maxPromptSize) && this.maxPromptSize >= 1)) {
      throw new BundleError('invalid_arguments', `max_prompt_size must be a positive integer, got ${this.maxPromptSize}.`, { location: { path: '/max_prompt_size' } });
    }
  }

  /** The features of a batch of windows `[b, 1, ...roi]`: the encoder now, each decoder when first asked for. */
  async encode(windows: Tensor): Promise<Features> {
    const batch = windows.dims[0] ?? 1;
    this.encodedWindows += batch;
    const out = await run(this.encoder, 'encoder', ENCODER_INPUTS, [windows]);
    await this.classHead.load?.();
    const legacy = LEGACY_ENCODER_OUTPUTS.every((name) => name in out);
    checkPairing(legacy, this.classHead);
    if (legacy) {
      const [featPoint, featAuto] = pick(this.encoder, 'encoder', out, LEGACY_ENCODER_OUTPUTS);
      return { classFeatures: async () => featAuto!, pointFeatures: async () => featPoint!, encoded: out };
    }
    const decoded = (decoder: Network | null, branch: 'point' | 'class', output: string) => {
      let result: Promise<Tensor> | undefined;
      return () =>
        (result ??= (async () => {
          this.decodedWindows[branch] += batch;
          return decode(this.encoder, out, decoder, branch, output);
        })());
    };
    return { classFeatures: decoded(this.classDecoder, 'class', 'class_features'), pointFeatures: decoded(this.pointDecoder, 'point', 'feat_point'), encoded: out };
  }

  /**
   * Class-head logits of window `index` of `features` for `classIds`, written as `[K, ...roi]` into `out` at
   * `offset` (float32). Runs in chunks of at most `maxPromptSize` ids.
   */
  async classLogits(features: Features, index: number, classIds: readonly number[], out: Float32Array, offset: number): Promise<void> {
    const feat = windowOf(await features.classFeatures(), index);
    const voxels = feat.dims.slice(2).reduce((a, b) => a * b, 1);
    // besides max_prompt_size, cap one head output at HEAD_OUTPUT_BYTES (same logits: ids are independent)
    const chunk = Math.min(this.maxPromptSize ?? classIds.length, Math.max(1, Math.floor(HEAD_OUTPUT_BYTES / (4 * voxels))));
    for (let first = 0; first < classIds.length; first += chunk) {
      const ids = classIds.slice(first, first + chunk);
      const idTensor: Tensor = { type: 'int64', dims: [ids.length, 1], data: BigInt64Array.from(ids.map(BigInt)) };
      const [logits] = pick(this.classHead, 'class head', await run(this.classHead, 'class head', CLASS_HEAD_INPUTS, [feat, idTensor]), ['logits']);
      checkLogits(logits!, ids.length, voxels, 'class head');
      out.set(logits!.data as Float32Array, offset + first * voxels);
    }
  }

  /** Point-head logits `[K, ...roi]` for one window; clicks `[K][N][3]` are patch-local. */
  async pointLogits(features: Features, index: number, coords: number[][][], labels: number[][], zeroShot: boolean[]): Promise<Float32Array> {
    if (!this.pointHead) {
      throw new BundleError('invalid_arguments', "Network does not have attribute 'point_head'.", {
        hint: 'give the Vista3dNetwork a point_head graph to use point prompts',
      });
    }
    const feat = windowOf(await features.pointFeatures(), index);
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
    checkLogits(logits!, k, voxels, 'point head');
    return logits!.data as Float32Array;
  }
}

const REEXPORT_HINT = 're-export all graphs together with tools/vista3d/export_vista3d.py (bundle/docs/README.md, "The network")';

/** A three-graph encoder needs a class head taking feat_auto, a five-graph one a class head taking class_features. */
function checkPairing(legacy: boolean, classHead: Network): void {
  const takes = classHead.inputNames;
  const mismatch = legacy ? takes.includes('class_features') : takes.includes('feat_auto');
  if (mismatch) {
    throw new BundleError('model_error', legacy
      ? 'The VISTA3D encoder is a three-graph export (it returns feat_point and feat_auto) but the class head takes class_features (a five-graph export): they come from different exports.'
      : 'The VISTA3D encoder is a five-graph export (it returns the encoder levels) but the class head takes feat_auto (a three-graph export): they come from different exports.', { hint: REEXPORT_HINT });
  }
}

/** One decoder branch over the encoder outputs it names (by position when its names are not among them). */
async function decode(encoder: Network, encoded: Record<string, Tensor>, decoder: Network | null, branch: 'point' | 'class', output: string): Promise<Tensor> {
  if (!decoder) {
    throw new BundleError('model_error', `The VISTA3D encoder returned ${JSON.stringify(Object.keys(encoded))}, not feat_point and feat_auto, so it needs a ${branch} decoder, and network_def has no ${branch}_decoder.`, {
      hint: `give network_def a "${branch}_decoder" (models/${branch}_decoder.onnx of the same export), or ${REEXPORT_HINT}`,
    });
  }
  try {
    await decoder.load?.();
  } catch (error) {
    if (!(error instanceof BundleError && error.kind === 'model_not_found')) throw error;
    throw new BundleError('model_not_found', `${error.message} The VISTA3D encoder is a five-graph export (it returns ${JSON.stringify(Object.keys(encoded))}), which needs its ${branch} decoder.`, {
      hint: `put the ${branch}_decoder.onnx of the same export beside the encoder, or ${REEXPORT_HINT}`,
      location: error.location,
      cause: error,
    });
  }
  const produced = encoder.outputNames.length > 0 ? encoder.outputNames.filter((n) => n in encoded) : Object.keys(encoded);
  const names = decoder.inputNames.every((n) => n in encoded) ? decoder.inputNames : produced;
  const [features] = pick(decoder, `${branch} decoder`, await run(decoder, `${branch} decoder`, names, names.map((n) => encoded[n]!)), [output]);
  return features!;
}

/**
 * The contract of each graph (spec 8.3), checked on one window `image` [1, 1, P, P, P] (verify_net_in_out):
 * the decoders give float32 feature maps [1, C, P, P, P] with the same C; the class head gives float32
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
  const features = await net.encode(image);
  const encoded = features.encoded ?? {};
  const legacy = LEGACY_ENCODER_OUTPUTS.every((name) => name in encoded);
  const classFeatures = await features.classFeatures();
  const channels = classFeatures.dims[1] ?? 0;
  const className = legacy ? 'feat_auto' : 'class_features';
  expectDims(legacy ? 'encoder' : 'class decoder', className, classFeatures, [1, channels, ...spatial]);
  const lines = [`encoder: image ${shape(image)} -> ${Object.entries(encoded).map(([name, t]) => `${name} ${shape(t)}`).join(', ')}`];
  if (!legacy) lines.push(`class decoder: -> class_features ${shape(classFeatures)}`);
  const ids = [1, 3];
  const ids64: Tensor = { type: 'int64', dims: [ids.length, 1], data: BigInt64Array.from(ids.map(BigInt)) };
  const [classLogits] = pick(net.classHead, 'class head', await run(net.classHead, 'class head', CLASS_HEAD_INPUTS, [classFeatures, ids64]), ['logits']);
  expectDims('class head', 'logits', classLogits!, [1, ids.length, ...spatial]);
  lines.push(`class head: ${className}, class_ids [${ids.length}, 1] int64 -> logits ${shape(classLogits!)}`);
  if (net.pointHead) {
    const featPoint = await features.pointFeatures();
    expectDims(legacy ? 'encoder' : 'point decoder', 'feat_point', featPoint, [1, channels, ...spatial]);
    if (!legacy) lines.push(`point decoder: -> feat_point ${shape(featPoint)}`);
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
  description: 'VISTA3D as five graphs: encoder, point and class decoders, class head and point head (ONNX sessions); a three-graph export (no decoders) still loads',
  argsSchema: {
    type: 'object',
    properties: {
      encoder: { description: 'the encoder network: image -> encoder levels (or feat_point, feat_auto for a three-graph export)' },
      point_decoder: { description: 'the point branch: encoder levels -> feat_point (not needed by a three-graph export)' },
      class_decoder: { description: 'the label branch: encoder levels -> class_features (not needed by a three-graph export)' },
      class_head: { description: 'the class head: class_features (feat_auto for a three-graph export), class_ids -> logits' },
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
      pointDecoder: args.point_decoder ?? null,
      classDecoder: args.class_decoder ?? null,
      acceleratedClassHead: args.accelerated_class_head ?? null,
      useAcceleratedHead: args.head_trt_enabled ?? false,
      maxPromptSize: args.max_prompt_size ?? null,
    });
  },
};
