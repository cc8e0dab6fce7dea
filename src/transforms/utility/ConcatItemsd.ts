/**
 * ConcatItemsd: concatenates the volumes under `keys` along `dim` (0, the channel, by default; 1-3 the
 * spatial axes) into a new item `name`, as MONAI's ConcatItemsd (torch.cat). The result keeps the first
 * volume's affine and meta; dtypes are promoted as torch does for these types (any float64 -> float64,
 * any other float -> float32, mixed integer types -> int32). With no key present the sample passes
 * through, as in MONAI.
 */
import { BundleError } from '../../errors/index.js';
import { allocate, type DType, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions } from '../MapTransform.js';
import type { Sample } from '../Transform.js';

export interface ConcatItemsdOptions extends MapTransformOptions {
  name: string;
  dim?: number;
}

export class ConcatItemsd extends MapTransform {
  readonly name = 'ConcatItemsd';
  readonly outputKey: string;
  readonly dim: number;

  constructor(options: ConcatItemsdOptions) {
    super(options);
    this.outputKey = options.name;
    this.dim = options.dim ?? 0;
  }

  override async apply(sample: Sample): Promise<Sample> {
    const volumes = this.presentKeys(sample).map((k) => this.volumeAt(sample, k));
    if (volumes.length === 0) return sample;
    const first = volumes[0]!;
    const d = this.dim < 0 ? first.shape.length + this.dim : this.dim;
    for (const [i, v] of volumes.entries()) {
      if (v.shape.length !== first.shape.length || v.shape.some((n, a) => a !== d && n !== first.shape[a])) {
        throw new BundleError('invalid_data', `ConcatItemsd cannot join "${this.keys[i]}" (shape ${JSON.stringify(v.shape)}) to shape ${JSON.stringify(first.shape)} along dim ${this.dim}.`, {
          hint: 'the items must have the same shape except along dim (resample them onto one grid first)',
          location: { id: this.id, path: this.keys[i] },
        });
      }
    }
    return { ...sample, [this.outputKey]: concatenate(volumes, d) };
  }
}

function promote(dtypes: DType[]): DType {
  if (dtypes.every((t) => t === dtypes[0])) return dtypes[0]!;
  if (dtypes.includes('float64')) return 'float64';
  if (dtypes.includes('float32')) return 'float32';
  return 'int32';
}

/** C-order concatenation along axis `d` of the full shape [C, X, Y, Z]. */
export function concatenate(volumes: Volume[], d: number): Volume {
  const first = volumes[0]!;
  const outer = first.shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = first.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const total = volumes.reduce((n, v) => n + v.shape[d]!, 0);
  const dtype = promote(volumes.map((v) => v.dtype));
  const out = allocate(dtype, outer * total * inner);
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (const v of volumes) {
      const block = v.shape[d]! * inner;
      out.set(v.data.subarray(o * block, (o + 1) * block), offset);
      offset += block;
    }
  }
  const shape = first.shape.slice();
  shape[d] = total;
  return withParts(first, { data: out, dtype, shape });
}

interface Args {
  keys: string | string[];
  name: string;
  dim?: number;
  allow_missing_keys?: boolean;
}

export const concatItemsdEntry: ComponentEntry<Args, ConcatItemsd> = {
  name: 'ConcatItemsd',
  aliases: ['monai.transforms.ConcatItemsd', 'ConcatItemsD', 'ConcatItemsDict'],
  description: 'Concatenates the volumes under keys along dim (0: channels) into the item name, as MONAI ConcatItemsd.',
  argsSchema: mapTransformSchema(
    {
      name: { type: 'string', minLength: 1, description: 'key of the concatenated item' },
      dim: { type: 'integer', minimum: -4, maximum: 3, default: 0, description: '0: channels; 1-3: spatial axes' },
    },
    ['name'],
  ),
  create: (args, context) => new ConcatItemsd({ keys: args.keys, name: args.name, dim: args.dim, allowMissingKeys: args.allow_missing_keys, id: context.id }),
};
