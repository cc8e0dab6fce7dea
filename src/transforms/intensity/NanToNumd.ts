/**
 * NanToNumd: torch.nan_to_num per key. NaN becomes `nan` (default 0), +Inf `posinf` and -Inf `neginf`
 * (default: the largest and lowest finite values of the volume's dtype). Integer volumes hold no NaN or
 * Inf and pass through unchanged. MONAI has no such transform (bundles write
 * `Lambdad(func="$lambda x: torch.nan_to_num(x, nan=255)")`, a Python lambda we cannot evaluate).
 */
import { allocate, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, nullable, type MapTransformOptions } from '../MapTransform.js';

export interface NanToNumdOptions extends MapTransformOptions {
  nan?: number;
  posinf?: number | null;
  neginf?: number | null;
}

const FLOAT32_MAX = 3.4028234663852886e38;

export class NanToNumd extends MapTransform {
  readonly name = 'NanToNumd';
  readonly nan: number;
  readonly posinf: number | null;
  readonly neginf: number | null;

  constructor(options: NanToNumdOptions) {
    super(options);
    this.nan = options.nan ?? 0;
    this.posinf = options.posinf ?? null;
    this.neginf = options.neginf ?? null;
  }

  protected override transformVolume(volume: Volume): Volume {
    if (volume.dtype !== 'float32' && volume.dtype !== 'float64') return volume;
    const max = volume.dtype === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE;
    const nan = this.nan;
    const pos = this.posinf ?? max;
    const neg = this.neginf ?? -max;
    const src = volume.data;
    const out = allocate(volume.dtype, src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      out[i] = v !== v ? nan : v === Infinity ? pos : v === -Infinity ? neg : v;
    }
    return withParts(volume, { data: out });
  }
}

type Args = { keys: string | string[]; nan?: number; posinf?: number | null; neginf?: number | null; allow_missing_keys?: boolean };

const nullableNumber = nullable({ type: 'number' });

export const nanToNumdEntry: ComponentEntry = {
  name: 'NanToNumd',
  aliases: ['monai.transforms.NanToNumd'],
  description: 'Replaces NaN, +Inf and -Inf with numbers (torch.nan_to_num), e.g. NaN -> 255 before saving a label map.',
  argsSchema: mapTransformSchema({
    nan: { type: 'number', default: 0 },
    posinf: { ...nullableNumber, default: null, description: "default: the dtype's largest finite value" },
    neginf: { ...nullableNumber, default: null, description: "default: the dtype's lowest finite value" },
  }),
  create: (args: Args, context) =>
    new NanToNumd({ keys: args.keys, nan: args.nan, posinf: args.posinf, neginf: args.neginf, allowMissingKeys: args.allow_missing_keys, id: context.id }),
};
