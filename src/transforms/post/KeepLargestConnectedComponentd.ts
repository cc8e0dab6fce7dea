/**
 * KeepLargestConnectedComponentd: sets to 0 the voxels of every connected component but the largest
 * (MONAI's semantics, on [C, X, Y, Z] volumes):
 * - not one-hot (one channel of label values): with `independent`, each applied label keeps its own
 *   largest component; otherwise the union of the applied labels keeps its largest component.
 * - one-hot (C channels of 0/1): per channel `c` in applied_labels (channel > 0), or on the union of the
 *   channels equal to 1.
 * applied_labels defaults to every nonzero label (not one-hot) or every nonempty channel but 0 (one-hot);
 * is_onehot defaults to "more than one channel". Values are otherwise unchanged, dtype kept. Not invertible.
 * Checked voxel for voxel against MONAI 1.5 (test/fixtures/monai/KeepLargestConnectedComponentd.json).
 * Equal-size components at the kept boundary: we keep the later one in scan order; MONAI keeps whichever
 * numpy's unstable argsort puts first, which depends on the numpy build (numpy 2.4 here kept the earlier
 * one in one case and neither end in another), so outputs can differ there and only there.
 */
import { BundleError } from '../../errors/index.js';
import { numel, type TypedArray, type Volume, withParts } from '../../image/Volume.js';
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
    const data = src.slice();
    if (this.independent) {
      // each label is labelled inside its own bounding box: many small labels cost little
      const boxes = onehot ? null : labelBoxes(src, spatialShape);
      const labels = this.appliedLabels ?? (onehot ? nonemptyChannels(volume, size) : [...boxes!.keys()].sort((x, y) => x - y));
      if (onehot) this.checkChannels(labels, channels, key);
      for (const label of labels) {
        const base = onehot ? label * size : 0;
        const box = onehot ? channelBox(src, base, spatialShape) : boxes!.get(label);
        if (box) this.keepLargestInBox(src, data, base, spatialShape, box, onehot ? null : label);
      }
      return withParts(volume, { data });
    }
    const labels = this.appliedLabels ?? (onehot ? nonemptyChannels(volume, size) : uniqueNonzero(volume));
    if (onehot) this.checkChannels(labels, channels, key);
    const mask = new Uint8Array(size);
    if (!onehot) {
      const wanted = new Set(labels);
      for (let j = 0; j < size; j++) mask[j] = wanted.has(src[j]!) ? 1 : 0;
    } else {
      for (const label of labels) for (let j = 0; j < size; j++) if (src[label * size + j] === 1) mask[j] = 1;
    }
    const keep = largestComponentMask(mask, spatialShape, this.connectivity, this.numComponents);
    for (const channel of onehot ? labels : [0]) {
      const base = channel * size;
      for (let j = 0; j < size; j++) if (mask[j] !== keep[j]) data[base + j] = 0;
    }
    return withParts(volume, { data });
  }

  /**
   * Within `box` of channel `base`: the foreground is `src == label` (label maps) or `src > 0` (one-hot,
   * label null); its voxels outside the largest components are set to 0 in `data`.
   */
  private keepLargestInBox(src: TypedArray, data: TypedArray, base: number, spatialShape: number[], box: Box, label: number | null): void {
    const [, ny, nz] = spatialShape as [number, number, number];
    const [x0, x1, y0, y1, z0, z1] = box;
    const boxShape = [x1 - x0 + 1, y1 - y0 + 1, z1 - z0 + 1];
    const local = new Uint8Array(numel(boxShape));
    let j = 0;
    for (let x = x0; x <= x1; x++)
      for (let y = y0; y <= y1; y++)
        for (let z = z0, i = base + (x * ny + y) * nz + z0; z <= z1; z++, i++, j++) local[j] = (label === null ? src[i]! > 0 : src[i] === label) ? 1 : 0;
    const keep = largestComponentMask(local, boxShape, this.connectivity, this.numComponents);
    j = 0;
    for (let x = x0; x <= x1; x++)
      for (let y = y0; y <= y1; y++)
        for (let z = z0, i = base + (x * ny + y) * nz + z0; z <= z1; z++, i++, j++) if (local[j] !== keep[j]) data[i] = 0;
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

/** Inclusive [x0, x1, y0, y1, z0, z1]. */
type Box = [number, number, number, number, number, number];

function grow(box: Box, x: number, y: number, z: number): void {
  if (x < box[0]) box[0] = x;
  if (x > box[1]) box[1] = x;
  if (y < box[2]) box[2] = y;
  if (y > box[3]) box[3] = y;
  if (z < box[4]) box[4] = z;
  if (z > box[5]) box[5] = z;
}

/** The bounding box of every nonzero value of a one-channel label map. */
function labelBoxes(src: TypedArray, spatialShape: number[]): Map<number, Box> {
  const [nx, ny, nz] = spatialShape as [number, number, number];
  const boxes = new Map<number, Box>();
  let last = NaN;
  let lastBox: Box | undefined;
  for (let x = 0, i = 0; x < nx; x++)
    for (let y = 0; y < ny; y++)
      for (let z = 0; z < nz; z++, i++) {
        const v = src[i]!;
        if (v === 0 || v !== v) continue;
        if (v !== last) {
          lastBox = boxes.get(v);
          if (!lastBox) boxes.set(v, (lastBox = [x, x, y, y, z, z]));
          last = v;
        }
        grow(lastBox!, x, y, z);
      }
  return boxes;
}

/** The bounding box of the positive voxels of channel `base`, or undefined when there are none. */
function channelBox(src: TypedArray, base: number, spatialShape: number[]): Box | undefined {
  const [nx, ny, nz] = spatialShape as [number, number, number];
  let box: Box | undefined;
  for (let x = 0, i = base; x < nx; x++)
    for (let y = 0; y < ny; y++)
      for (let z = 0; z < nz; z++, i++) {
        if (!(src[i]! > 0)) continue;
        if (box) grow(box, x, y, z);
        else box = [x, x, y, y, z, z];
      }
  return box;
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
