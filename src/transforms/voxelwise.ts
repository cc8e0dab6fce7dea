/**
 * Voxel-wise post-processing steps: a transform whose effect on a key is computed voxel by voxel from that
 * voxel's channel vector (Activationsd, AsDiscreted) gives the same values on any block of consecutive rows
 * as on the whole volume. The evaluator folds a post-processing chain's leading voxel-wise steps on `pred`
 * into the sliding-window inferer's slabs, so that a many-class output (wholeBody: 105 channels) is never
 * held whole: `foldableHead` finds those steps.
 */
import type { DType, TypedArray } from '../image/Volume.js';
import { Compose } from './Compose.js';
import type { Transform } from './Transform.js';

export interface VoxelwiseStep {
  /** output channels for `channels` input channels */
  channels(channels: number): number;
  /** output dtype for input of `dtype` */
  dtype(dtype: DType): DType;
  /**
   * The step on C-order `[channels, size]` data: a new array `[channels(channels), size]`, never `data`
   * itself (the caller may reuse `data`).
   */
  apply(data: TypedArray, channels: number, size: number): TypedArray;
}

/** A transform that can say, per key, whether (and how) its step there is voxel-wise. */
export interface VoxelwiseTransform extends Transform {
  readonly keys: readonly string[];
  /** the step on `key`, or undefined when it is not voxel-wise */
  voxelwise(key: string): VoxelwiseStep | undefined;
}

function isVoxelwiseTransform(t: Transform): t is VoxelwiseTransform {
  return typeof (t as Partial<VoxelwiseTransform>).voxelwise === 'function' && Array.isArray((t as Partial<VoxelwiseTransform>).keys);
}

export interface FoldableHead {
  /** the leading voxel-wise steps on the key, in order */
  steps: VoxelwiseStep[];
  /** their transforms' names, for the engine's forward_completed event */
  names: string[];
  /** what remains to run on the whole sample afterwards (null: nothing) */
  rest: Transform | null;
}

/**
 * The leading transforms of `post` (a Compose, or a single transform) that act on `key` alone and voxel-wise
 * there. A transform that also names another key is not folded: it must see the whole sample.
 */
export function foldableHead(post: Transform | null | undefined, key: string): FoldableHead {
  const list = post instanceof Compose ? post.transforms : post ? [post] : [];
  const steps: VoxelwiseStep[] = [];
  const names: string[] = [];
  for (const t of list) {
    const step = isVoxelwiseTransform(t) && t.keys.length === 1 && t.keys[0] === key ? t.voxelwise(key) : undefined;
    if (!step) break;
    steps.push(step);
    names.push(t.name);
  }
  const remaining = list.slice(steps.length);
  const rest = steps.length === 0 ? (post ?? null) : remaining.length === 0 ? null : post instanceof Compose ? new Compose(remaining, { mapItems: post.mapItems }) : null;
  return { steps, names, rest };
}
