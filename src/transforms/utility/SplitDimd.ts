/**
 * SplitDimd: splits each volume along `dim` into one-slice volumes stored under `<key>_<postfix>` (postfixes
 * "0", "1", ... by default), as MONAI's SplitDimd with keepdim (its default): dim 0 gives one volume per
 * channel; a spatial dim gives slices whose affine moves to the slice (MONAI's update_meta). keepdim false
 * (dropping the axis) and list_output are not offered: volumes here always have a channel and 3 spatial axes.
 */
import { BundleError } from '../../errors/index.js';
import { multiply } from '../../image/geometry.js';
import { type Mat4, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { extractBox } from '../crop/region.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions } from '../MapTransform.js';
import type { Sample } from '../Transform.js';

export interface SplitDimdOptions extends MapTransformOptions {
  outputPostfixes?: readonly string[] | null;
  dim?: number;
  updateMeta?: boolean;
}

export class SplitDimd extends MapTransform {
  readonly name = 'SplitDimd';
  readonly outputPostfixes: readonly string[] | null;
  readonly dim: number;
  readonly updateMeta: boolean;

  constructor(options: SplitDimdOptions) {
    super(options);
    this.outputPostfixes = options.outputPostfixes ?? null;
    this.dim = options.dim ?? 0;
    this.updateMeta = options.updateMeta ?? true;
  }

  override async apply(sample: Sample): Promise<Sample> {
    const out: Sample = { ...sample };
    for (const key of this.presentKeys(sample)) {
      const volume = this.volumeAt(sample, key);
      const pieces = splitVolume(volume, this.dim < 0 ? volume.shape.length + this.dim : this.dim, this.updateMeta);
      const postfixes = this.outputPostfixes ?? pieces.map((_, i) => String(i));
      if (postfixes.length !== pieces.length) {
        throw new BundleError('invalid_data', `SplitDimd: "${key}" splits into ${pieces.length} pieces along dim ${this.dim} but output_postfixes has ${postfixes.length}.`, {
          hint: 'give one postfix per piece, or leave output_postfixes null for 0, 1, ...',
          location: { id: this.id, path: '/output_postfixes' },
        });
      }
      pieces.forEach((piece, i) => {
        const name = `${key}_${postfixes[i]}`;
        if (name in sample) {
          throw new BundleError('invalid_data', `SplitDimd would overwrite the existing key "${name}".`, {
            hint: 'choose other output_postfixes',
            location: { id: this.id, path: name },
          });
        }
        out[name] = piece;
      });
    }
    return out;
  }
}

function splitVolume(volume: Volume, d: number, updateMeta: boolean): Volume[] {
  const n = volume.shape[d]!;
  return Array.from({ length: n }, (_, i) => {
    if (d === 0) {
      const size = volume.data.length / n;
      return withParts(volume, { data: volume.data.slice(i * size, (i + 1) * size), shape: [1, ...volume.shape.slice(1)] });
    }
    const start = [0, 0, 0];
    const end = volume.shape.slice(1);
    start[d - 1] = i;
    end[d - 1] = i + 1;
    const shape = volume.shape.slice();
    shape[d] = 1;
    const shift: Mat4 = [
      [1, 0, 0, start[0]!],
      [0, 1, 0, start[1]!],
      [0, 0, 1, start[2]!],
      [0, 0, 0, 1],
    ];
    return withParts(volume, { data: extractBox(volume.data, volume.shape, start, end), shape, ...(updateMeta ? { affine: multiply(volume.affine, shift) } : {}) });
  });
}

interface Args {
  keys: string | string[];
  output_postfixes?: string[] | null;
  dim?: number;
  keepdim?: boolean;
  update_meta?: boolean;
  list_output?: boolean;
  allow_missing_keys?: boolean;
}

export const splitDimdEntry: ComponentEntry<Args, SplitDimd> = {
  name: 'SplitDimd',
  aliases: ['monai.transforms.SplitDimd', 'SplitDimD', 'SplitDimDict'],
  description: 'Splits volumes along dim (0: channels) into <key>_<postfix> items, as MONAI SplitDimd with keepdim.',
  argsSchema: mapTransformSchema({
    output_postfixes: { oneOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' } }], default: null },
    dim: { type: 'integer', minimum: -4, maximum: 3, default: 0 },
    keepdim: { type: 'boolean', enum: [true], default: true, description: 'only true: volumes keep a channel and 3 spatial axes' },
    update_meta: { type: 'boolean', default: true, description: 'move each spatial slice\'s affine to the slice' },
    list_output: { type: 'boolean', enum: [false], default: false, description: 'only false' },
  }),
  create: (args, context) =>
    new SplitDimd({
      keys: args.keys,
      outputPostfixes: args.output_postfixes,
      dim: args.dim,
      updateMeta: args.update_meta,
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
