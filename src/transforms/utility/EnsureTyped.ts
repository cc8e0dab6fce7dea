/**
 * EnsureTyped. MONAI turns numpy arrays into torch tensors here; our volumes have one representation, so
 * this casts volumes to `dtype` when one is given and passes every other value (lists, numbers, strings)
 * through unchanged. `data_type` ("tensor" | "numpy"), `device` (we run on the CPU), `wrap_sequence` and
 * `track_meta` (volumes always keep their meta) are accepted and have no effect; a device other than the CPU is warned about.
 */
import { isVolume, type DType } from '../../image/Volume.js';
import type { ComponentContext, ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, perKey, type MapTransformOptions } from '../MapTransform.js';
import type { Sample } from '../Transform.js';
import { castVolume, dtypeSchema, parseDType } from './dtypes.js';

export interface EnsureTypedOptions extends MapTransformOptions {
  /** one dtype for every key or one per key; null keeps each volume's dtype */
  dtype?: DType | null | Array<DType | null>;
}

export class EnsureTyped extends MapTransform {
  readonly name: string = 'EnsureTyped';
  readonly dtypes: Map<string, DType | null>;

  constructor(options: EnsureTypedOptions) {
    super(options);
    const dtypes = perKey<DType | null>(options.dtype ?? null, this.keys, 'dtype', this.name, this.id);
    this.dtypes = new Map(this.keys.map((k, i) => [k, dtypes[i]!]));
  }

  override async apply(sample: Sample): Promise<Sample> {
    const out: Sample = { ...sample };
    for (const key of this.presentKeys(sample)) {
      const value = sample[key];
      const dtype = this.dtypes.get(key);
      if (isVolume(value) && dtype) out[key] = castVolume(value, dtype);
    }
    return out;
  }
}

type Args = {
  keys: string | string[];
  dtype?: string | null | Array<string | null>;
  device?: unknown;
  allow_missing_keys?: boolean;
};

/** A device other than the CPU (where everything here runs): asking for it has no effect, worth a warning. */
export function isOtherDevice(device: unknown): boolean {
  return device != null && !(typeof device === 'string' && /^cpu(:\d+)?$/i.test(device.trim()));
}

/** The dtype argument of EnsureTyped / ToTensord as DTypes; a warning for a device other than the CPU. */
export function ensureTypedOptions(name: string, args: Args, context: ComponentContext): EnsureTypedOptions {
  const parse = (d: string | null) => (d === null ? null : parseDType(d, 'dtype', name, context.id));
  const dtype = args.dtype === undefined ? undefined : Array.isArray(args.dtype) ? args.dtype.map(parse) : parse(args.dtype);
  if (isOtherDevice(args.device)) context.logger.warn(`${context.id}: ${name} device has no effect here (data stays in host memory; the network runs where onnxruntime's execution provider puts it)`);
  return { keys: args.keys, dtype, allowMissingKeys: args.allow_missing_keys, id: context.id };
}

export const ensureTypedEntry: ComponentEntry = {
  name: 'EnsureTyped',
  aliases: ['monai.transforms.EnsureTyped', 'EnsureTypeD', 'EnsureTypeDict'],
  description: 'Ensures images are tensors, optionally casting them to a dtype (device is ignored: inference runs on the CPU).',
  argsSchema: mapTransformSchema({
    data_type: { type: 'string', enum: ['tensor', 'numpy'], default: 'tensor', description: 'accepted; has no effect' },
    dtype: {
      oneOf: [dtypeSchema, { type: 'null' }, { type: 'array', items: { oneOf: [dtypeSchema, { type: 'null' }] }, minItems: 1 }],
      default: null,
    },
    device: { description: 'accepted and ignored: inference runs on the CPU (onnxruntime execution providers are chosen elsewhere)' },
    wrap_sequence: { type: 'boolean', default: true, description: 'accepted; has no effect' },
    track_meta: { oneOf: [{ type: 'boolean' }, { type: 'null' }], default: null, description: 'accepted; volumes always keep their meta' },
  }),
  create: (args: Args, context) => new EnsureTyped(ensureTypedOptions('EnsureTyped', args, context)),
};
