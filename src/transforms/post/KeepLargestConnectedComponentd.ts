/**
 * KeepLargestConnectedComponentd: sets to 0 the voxels of every connected component but the largest
 * (MONAI's semantics, on [C, X, Y, Z] volumes):
 * - not one-hot (one channel of label values): with `independent`, each applied label keeps its own
 *   largest component; otherwise the union of the applied labels keeps its largest component.
 * - one-hot (C channels of 0/1): per channel `c` in applied_labels (channel > 0), or on the union of the
 *   channels equal to 1.
 * applied_labels defaults to every nonzero label (not one-hot) or every nonempty channel but 0 (one-hot);
 * is_onehot defaults to "more than one channel". Equal-size largest components: the later one in scan
 * order is kept (MONAI's argsort order). Values are otherwise unchanged, dtype kept. Not invertible.
 */
import { BundleError } from '../../errors/index.js';
import { numel, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions } from '../MapTransform.js';
import { checkConnectivity, largestComponentMask } from './connectedComponents.js';

export interface KeepLargestConnectedComponentdOptions extends MapTransformOptions {
  appliedLabels?: number[] | null;
  isOnehot?: boolean | null;
  independent?: boolean;
  /** 1, 2 or 3 (26-neighbourhood, the default) */
  connectivity?: number | null;
  numComponents?: number;
}

export class KeepLargestConnectedComponentd extends MapTransform {
  readonly name = 'KeepLargestConnectedComponentd';
  readonly appliedLabels: number[] | null;
  readonly isOnehot: boolean | null;
  readonly independent: boolean;
  readonly connectivity: number;
  readonly numComponents: number;

  constructor(options: KeepLargestConnectedComponentdOptions) {
    super(options);
    this.appliedLabels = options.appliedLabels ?? null;
    this.isOnehot = options.isOnehot ?? null;
    this.independent = options.independent ?? true;
    this.connectivity = options.connectivity ?? 3;
    this.numComponents = options.numComponents ?? 1;
    try {
      checkConnectivity(this.connectivity);
    } catch (e) {
      throw e instanceof BundleError ? e.withLocation({ id: this.id, path: '/connectivity' }) : e;
    }
  }

  protected override transformVolume(volume: Volume, key: string): Volume {
    const [channels, ...spatialShape] = volume.shape as [number, ...number[]];
    const size = numel(spatialShape);
    const onehot = this.isOnehot ?? channels > 1;
    const src = volume.data;
    if (!onehot && channels !== 1) {
      throw new BundleError('invalid_data', `KeepLargestConnectedComponentd expects one channel of labels under "${key}" but found ${channels} channels.`, {
        hint: 'set is_onehot: true for one-hot data, or apply AsDiscreted(argmax) first',
        location: { id: this.id, path: key },
      });
    }
    const labels = this.appliedLabels ?? (onehot ? nonemptyChannels(volume, size) : uniqueNonzero(volume));
    const data = src.slice();
    const mask = new Uint8Array(size);
    const dropFrom = (foreground: Uint8Array, channel: number) => {
      const keep = largestComponentMask(foreground, spatialShape, this.connectivity, this.numComponents);
      const base = channel * size;
      for (let j = 0; j < size; j++) if (foreground[j] !== keep[j]) data[base + j] = 0;
    };
    if (onehot) this.checkChannels(labels, channels, key);
    if (this.independent) {
      for (const label of labels) {
        const base = onehot ? label * size : 0;
        for (let j = 0; j < size; j++) mask[j] = onehot ? (src[base + j]! > 0 ? 1 : 0) : src[j] === label ? 1 : 0;
        dropFrom(mask, onehot ? label : 0);
      }
    } else if (!onehot) {
      const wanted = new Set(labels);
      for (let j = 0; j < size; j++) mask[j] = wanted.has(src[j]!) ? 1 : 0;
      dropFrom(mask, 0);
    } else {
      for (const label of labels) for (let j = 0; j < size; j++) if (src[label * size + j] === 1) mask[j] = 1;
      const keep = largestComponentMask(mask, spatialShape, this.connectivity, this.numComponents);
      for (const label of labels) for (let j = 0; j < size; j++) if (mask[j] !== keep[j]) data[label * size + j] = 0;
    }
    return withParts(volume, { data });
  }

  private checkChannels(labels: number[], channels: number, key: string): void {
    const bad = labels.find((l) => !Number.isInteger(l) || l < 0 || l >= channels);
    if (bad !== undefined) {
      throw new BundleError('invalid_data', `KeepLargestConnectedComponentd got applied label ${bad} but the one-hot data under "${key}" has ${channels} channels.`, {
        hint: 'with one-hot data, applied_labels are channel indices',
        location: { id: this.id, path: key },
      });
    }
  }
}

function uniqueNonzero(volume: Volume): number[] {
  const seen = new Set<number>();
  const src = volume.data;
  for (let j = 0; j < src.length; j++) if (src[j] !== 0) seen.add(src[j]!);
  return [...seen].sort((a, b) => a - b);
}

function nonemptyChannels(volume: Volume, size: number): number[] {
  const out: number[] = [];
  for (let c = 1; c < volume.shape[0]!; c++) {
    let sum = 0;
    for (let j = c * size; j < (c + 1) * size; j++) sum += volume.data[j]!;
    if (sum > 0) out.push(c);
  }
  return out;
}

type Args = {
  keys: string | string[];
  applied_labels?: number | number[] | null;
  is_onehot?: boolean | null;
  independent?: boolean;
  connectivity?: number | null;
  num_components?: number;
  allow_missing_keys?: boolean;
};

export const keepLargestConnectedComponentdEntry: ComponentEntry = {
  name: 'KeepLargestConnectedComponentd',
  aliases: ['monai.transforms.KeepLargestConnectedComponentd', 'KeepLargestConnectedComponentD', 'KeepLargestConnectedComponentDict'],
  description: 'Keeps only the largest connected component of each label (or of their union); other voxels become 0.',
  argsSchema: mapTransformSchema({
    applied_labels: {
      oneOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' } }, { type: 'null' }],
      default: null,
      description: 'labels (or one-hot channels) to process; default: all nonzero labels',
    },
    is_onehot: { oneOf: [{ type: 'boolean' }, { type: 'null' }], default: null, description: 'default: true when there is more than one channel' },
    independent: { type: 'boolean', default: true },
    connectivity: {
      oneOf: [{ type: 'integer', minimum: 1, maximum: 3 }, { type: 'null' }],
      default: null,
      description: 'neighbour hops: 1 (6-neighbourhood), 2 (18), 3 or null (26)',
    },
    num_components: { type: 'integer', minimum: 1, default: 1 },
  }),
  create: (args: Args, context) =>
    new KeepLargestConnectedComponentd({
      keys: args.keys,
      appliedLabels: args.applied_labels === undefined || args.applied_labels === null ? null : [args.applied_labels].flat(),
      isOnehot: args.is_onehot,
      independent: args.independent,
      connectivity: args.connectivity,
      numComponents: args.num_components,
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
