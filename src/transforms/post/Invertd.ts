/**
 * Invertd: map a result (e.g. `pred`, in network space) back to the original image grid by replaying the
 * ORIGINAL item's applied operations backwards through `transform` (MONAI's Invertd,
 * monai/transforms/post/dictionary.py). The result takes the original item's trace, affine and meta
 * (filename, originalAffine: what SaveImaged names and writes the file after); with `nearest_interp` every
 * recorded interpolation becomes nearest, so labels stay labels.
 *
 * Differences from MONAI, on purpose: a missing or untraced original item is a `not_invertible` error
 * (MONAI warns and leaves the data in network space), and a result whose spatial shape differs from the
 * original item's is an `invalid_data` error (it cannot be on the same grid).
 */
import { BundleError } from '../../errors/index.js';
import { cloneMat4, isVolume, type AppliedOperation, type Volume } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { invertThrough } from '../Compose.js';
import { MapTransform, mapTransformSchema, perKey, type MapTransformOptions } from '../MapTransform.js';
import { isTransform, type Sample, type Transform } from '../Transform.js';

const INTERPOLATION_MODES = new Set(['bilinear', 'nearest', 'trilinear', 'linear', 'bicubic', 'area', 'nearest-exact']);

/** MONAI's convert_applied_interp_mode: interpolation modes become `mode`, align_corners false. */
export function withInterpolation(operations: readonly AppliedOperation[], mode: 'nearest'): AppliedOperation[] {
  return operations.map((op) => {
    const info = { ...op.info };
    if (typeof info.mode === 'string' && INTERPOLATION_MODES.has(info.mode)) info.mode = mode;
    if ('alignCorners' in info) info.alignCorners = false;
    return { transform: op.transform, info };
  });
}

export interface InvertdOptions extends MapTransformOptions {
  transform: Transform;
  origKeys?: string | readonly string[];
  nearestInterp?: boolean | readonly boolean[];
  metaKeyPostfix?: string;
}

export class Invertd extends MapTransform {
  readonly name = 'Invertd';
  readonly transform: Transform;
  readonly origKeys: string[];
  readonly nearestInterp: boolean[];
  readonly metaKeyPostfix: string;

  constructor(options: InvertdOptions) {
    super(options);
    this.transform = options.transform;
    this.origKeys = perKey(options.origKeys ?? this.keys, this.keys, 'orig_keys', this.name, this.id);
    this.nearestInterp = perKey(options.nearestInterp ?? true, this.keys, 'nearest_interp', this.name, this.id);
    this.metaKeyPostfix = options.metaKeyPostfix ?? 'meta_dict';
  }

  override async apply(sample: Sample): Promise<Sample> {
    const out: Sample = { ...sample };
    for (const key of this.presentKeys(sample)) {
      const i = this.keys.indexOf(key);
      const origKey = this.origKeys[i]!;
      const result = this.volumeAt(sample, key);
      const original = sample[origKey];
      if (!isVolume(original)) {
        throw new BundleError('not_invertible', `Invertd cannot invert "${key}": the original item "${origKey}" is not in the data or is not an image.`, {
          location: { id: this.id, path: origKey },
        });
      }
      if (result.shape.slice(1).join() !== original.shape.slice(1).join()) {
        throw new BundleError(
          'invalid_data',
          `Invertd cannot invert "${key}" of spatial shape [${result.shape.slice(1)}] through the operations of "${origKey}" of spatial shape [${original.shape.slice(1)}].`,
          { hint: `"${key}" must be on the grid of "${origKey}" (the network input)`, location: { id: this.id, path: key } },
        );
      }
      const operations = this.nearestInterp[i] ? withInterpolation(original.appliedOperations, 'nearest') : original.appliedOperations.slice();
      const input: Volume = { ...result, affine: cloneMat4(original.affine), meta: { ...result.meta, ...original.meta }, appliedOperations: operations };
      const inverted = (await invertThrough(this.transform, { [origKey]: input }))[origKey] as Volume;
      out[key] = inverted;
      const origMetaKey = `${origKey}_${this.metaKeyPostfix}`;
      if (origMetaKey in sample) out[`${key}_${this.metaKeyPostfix}`] = { ...inverted.meta };
    }
    return out;
  }
}

interface InvertdArgs {
  keys: string | string[];
  transform: Transform;
  orig_keys?: string | string[] | null;
  meta_keys?: string | string[] | null;
  orig_meta_keys?: string | string[] | null;
  meta_key_postfix?: string;
  nearest_interp?: boolean | boolean[];
  to_tensor?: boolean | boolean[];
  device?: unknown;
  post_func?: unknown;
  allow_missing_keys?: boolean;
}

const boolOrList = { oneOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'boolean' }, minItems: 1 }] };
const keyOrList = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'null' }] };

export const invertdEntry: ComponentEntry<InvertdArgs, Invertd> = {
  name: 'Invertd',
  aliases: ['monai.transforms.Invertd', 'monai.transforms.post.dictionary.Invertd', 'InvertD', 'InvertDict'],
  description: "Map keys back to the original image grid by inverting transform with orig_keys' recorded operations, as MONAI Invertd.",
  argsSchema: mapTransformSchema(
    {
      transform: { description: 'the Compose (or invertible transform) applied to orig_keys' },
      orig_keys: { ...keyOrList, description: 'the original item(s) whose recorded operations are inverted; default: keys' },
      meta_keys: { ...keyOrList, description: 'accepted for compatibility; the inverted meta travels with the volume' },
      orig_meta_keys: { ...keyOrList, description: 'accepted for compatibility; the meta is read from orig_keys' },
      meta_key_postfix: { type: 'string', default: 'meta_dict' },
      nearest_interp: { ...boolOrList, default: true, description: 'invert every interpolation with nearest' },
      to_tensor: { ...boolOrList, default: true, description: 'accepted; results are always volumes' },
      device: { description: 'accepted and ignored: everything runs on the CPU' },
      post_func: { description: 'not supported (a Python callable); add a transform after Invertd instead' },
    },
    ['transform'],
  ),
  create(args, context) {
    if (args.post_func != null) {
      throw new BundleError('invalid_arguments', 'Invertd post_func (a Python callable) is not supported.', {
        hint: 'remove post_func and add the post-processing transform after Invertd in the Compose',
        location: { id: context.id, path: '/post_func' },
      });
    }
    if (!isTransform(args.transform)) {
      throw new BundleError('invalid_arguments', 'Invertd "transform" is not a transform.', {
        hint: 'reference the preprocessing Compose, e.g. "transform": "@preprocessing"',
        location: { id: context.id, path: '/transform' },
      });
    }
    return new Invertd({
      id: context.id,
      keys: args.keys,
      allowMissingKeys: args.allow_missing_keys,
      transform: args.transform,
      origKeys: args.orig_keys ?? undefined,
      nearestInterp: args.nearest_interp,
      metaKeyPostfix: args.meta_key_postfix,
    });
  },
};
