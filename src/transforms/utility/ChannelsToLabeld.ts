/**
 * ChannelsToLabeld: one label per voxel from a multi-channel volume, by ordered rules. Rule i is
 * `x[channels[i]] <comparison> threshold -> labels[i]`; the first rule that holds at a voxel gives its label,
 * and a voxel where none holds gets `background`. The output has one channel.
 *
 * Our extension, not a MONAI class: it is the named, declared form of MONAI bundles' nested-`torch.where`
 * Lambdad over channel selections, e.g. brats_mri_segmentation's
 *
 *     lambda x: torch.where(x[[2]] > 0, 4, torch.where(x[[0]] > 0, 1, torch.where(x[[1]] > 0, 2, 0)))
 *
 * which is `channels [2, 0, 1]`, `labels [4, 1, 2]`, `threshold 0`, `comparison ">"`, `background 0`
 * (`bundle convert` writes it so). As torch, the threshold is compared in float32 unless the data is float64
 * (a Python number against a float32 or integer tensor is a float32 scalar), and NaN satisfies no rule
 * except "!=". torch.where's result there is int64; `dtype` defaults to int32, which holds any label a
 * segmentation has (int64 does not fit a typed-array volume).
 */
import { BundleError } from '../../errors/index.js';
import { allocate, type DType, spatialShape, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions } from '../MapTransform.js';
import { dtypeSchema, isFloatDType, parseDType } from './dtypes.js';

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

const TESTS: Record<Comparison, (v: number, t: number) => boolean> = {
  '>': (v, t) => v > t,
  '>=': (v, t) => v >= t,
  '<': (v, t) => v < t,
  '<=': (v, t) => v <= t,
  '==': (v, t) => v === t,
  '!=': (v, t) => v !== t,
};

export interface ChannelsToLabeldOptions extends MapTransformOptions {
  channels: readonly number[];
  labels: readonly number[];
  threshold?: number;
  comparison?: Comparison;
  background?: number;
  dtype?: DType;
}

export class ChannelsToLabeld extends MapTransform {
  readonly name = 'ChannelsToLabeld';
  readonly channels: readonly number[];
  readonly labels: readonly number[];
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly background: number;
  readonly dtype: DType;

  constructor(options: ChannelsToLabeldOptions) {
    super(options);
    if (options.channels.length !== options.labels.length || options.channels.length === 0) {
      throw new BundleError('invalid_arguments', `ChannelsToLabeld got ${options.channels.length} channels and ${options.labels.length} labels.`, {
        hint: 'give at least one rule: one label for every channel, in priority order (the first rule that holds wins)',
        location: { id: this.id, path: '/labels' },
      });
    }
    this.channels = [...options.channels];
    this.labels = [...options.labels];
    this.threshold = options.threshold ?? 0;
    this.comparison = options.comparison ?? '>';
    this.background = options.background ?? 0;
    this.dtype = options.dtype ?? 'int32';
    const probe = allocate(this.dtype, 1);
    const unfit = [...this.labels, this.background].filter((v) => {
      probe[0] = v;
      return !isFloatDType(this.dtype) && probe[0] !== v;
    });
    if (unfit.length > 0) {
      throw new BundleError('invalid_arguments', `ChannelsToLabeld: label ${unfit.join(', ')} does not fit dtype ${this.dtype}.`, {
        hint: 'give a dtype that holds every label and the background (float32 for fractions, int32 for large or negative ones)',
        location: { id: this.id, path: '/dtype' },
      });
    }
  }

  protected override transformVolume(volume: Volume, key: string): Volume {
    const nc = volume.shape[0]!;
    const missing = this.channels.filter((c) => c >= nc);
    if (missing.length > 0) {
      throw new BundleError('invalid_data', `ChannelsToLabeld: "${key}" has ${nc} channel(s), but the rules use channel ${missing.join(', ')}.`, {
        hint: `channels count from 0 and must be below ${nc}; check the network's output channels`,
        location: { id: this.id, path: '/channels' },
      });
    }
    const n = volume.data.length / nc;
    const src = volume.data;
    const test = TESTS[this.comparison];
    const t = volume.dtype === 'float64' ? this.threshold : Math.fround(this.threshold);
    const out = allocate(this.dtype, n);
    const offsets = this.channels.map((c) => c * n);
    for (let i = 0; i < n; i++) {
      let label = this.background;
      for (let r = 0; r < offsets.length; r++) {
        if (test(src[offsets[r]! + i]!, t)) {
          label = this.labels[r]!;
          break;
        }
      }
      out[i] = label;
    }
    return withParts(volume, { data: out, dtype: this.dtype, shape: [1, ...spatialShape(volume)] });
  }
}

interface Args {
  keys: string | string[];
  channels: number[];
  labels: number[];
  threshold?: number;
  comparison?: Comparison;
  background?: number;
  dtype?: string;
  allow_missing_keys?: boolean;
}

export const channelsToLabeldEntry: ComponentEntry<Args, ChannelsToLabeld> = {
  name: 'ChannelsToLabeld',
  aliases: ['ChannelsToLabelD', 'ChannelsToLabelDict'],
  description:
    'One label per voxel from channels by ordered rules: the first i with x[channels[i]] <comparison> threshold gives labels[i], else background '
    + '(our extension; the declared form of MONAI\'s nested torch.where Lambdad over channels, e.g. brats_mri_segmentation).',
  argsSchema: mapTransformSchema(
    {
      channels: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, description: 'the channel each rule tests, in priority order' },
      labels: { type: 'array', items: { type: 'number' }, minItems: 1, description: 'the label each rule gives, in the same order' },
      threshold: { type: 'number', default: 0, description: 'the value channels are compared with' },
      comparison: { enum: [...COMPARISONS], default: '>', description: 'x[channel] <comparison> threshold' },
      background: { type: 'number', default: 0, description: 'the label where no rule holds' },
      dtype: { ...dtypeSchema, default: 'int32' },
    },
    ['channels', 'labels'],
  ),
  create: (args, context) =>
    new ChannelsToLabeld({
      keys: args.keys,
      channels: args.channels,
      labels: args.labels,
      threshold: args.threshold,
      comparison: args.comparison,
      background: args.background,
      dtype: args.dtype === undefined ? undefined : parseDType(args.dtype, 'dtype', 'ChannelsToLabeld', context.id),
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
