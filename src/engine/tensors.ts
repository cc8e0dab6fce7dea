/**
 * The two conversions at the engine's boundary with the inference layer: a sample's image Volume becomes the
 * network input Tensor `[1, C, X, Y, Z]`, and the inferer's output `[1, K, X, Y, Z]` becomes the `pred` Volume
 * with the image's geometry and applied operations (so that Invertd can map it back to the input grid).
 */
import { BundleError } from '../errors/index.js';
import { cloneMat4, isVolume, type Volume } from '../image/Volume.js';
import type { Tensor } from '../inference/types.js';
import type { Sample } from '../transforms/Transform.js';

/** The image volume as a float32 `[1, C, ...spatial]` tensor; float32 data is shared, not copied. */
export function volumeToTensor(volume: Volume): Tensor {
  const data = volume.data instanceof Float32Array ? volume.data : Float32Array.from(volume.data as ArrayLike<number>);
  return { type: 'float32', dims: [1, ...volume.shape], data };
}

/**
 * The network output as a Volume laid over `like`: same affine, meta and applied operations, `K` channels.
 * The output must have batch 1 and the image's spatial shape.
 */
export function tensorToVolume(output: Tensor, like: Volume, key = 'pred'): Volume {
  const spatial = like.shape.slice(1);
  const outSpatial = output.dims.slice(2);
  if (output.dims[0] !== 1 || outSpatial.length !== spatial.length || outSpatial.some((s, i) => s !== spatial[i])) {
    throw new BundleError(
      'shape_mismatch',
      `The inferer returned a tensor of shape [${output.dims.join(', ')}] but "${key}" must be [1, K, ${spatial.join(', ')}] to lie on the image's grid.`,
      { hint: 'use a network whose output keeps the spatial size of its input (e.g. "same" padding)' },
    );
  }
  if (!(output.data instanceof Float32Array)) {
    throw new BundleError('shape_mismatch', `The inferer returned ${output.type} data but "${key}" must be float32.`, {
      hint: 'use a network with a float32 output',
    });
  }
  return {
    data: output.data,
    dtype: 'float32',
    shape: output.dims.slice(1),
    affine: cloneMat4(like.affine),
    meta: { ...like.meta },
    appliedOperations: like.appliedOperations.slice(),
  };
}

/** The volume at `key`, or a `missing_key` error that names the keys the sample has. */
export function sampleVolume(sample: Sample, key: string): Volume {
  const value = sample[key];
  if (!isVolume(value)) {
    const present = Object.keys(sample).join(', ') || 'none';
    throw new BundleError(
      'missing_key',
      value === undefined
        ? `The data item has no "${key}" for the evaluator (keys present: ${present}).`
        : `The data item's "${key}" is not an image volume; the evaluator needs one.`,
      { hint: 'the dataset\'s transform must load the image (LoadImaged) and put it under this key' },
    );
  }
  return value;
}

/** `meta[field]` of every volume in the sample that has it as a string, by sample key. */
/** `meta.labelNames` of the sample's volumes that have some, by key. */
export function volumeLabelNames(sample: Sample): Record<string, Record<string, string>> {
  const names: Record<string, Record<string, string>> = {};
  for (const [key, value] of Object.entries(sample)) {
    if (isVolume(value) && value.meta.labelNames && Object.keys(value.meta.labelNames).length) names[key] = { ...value.meta.labelNames };
  }
  return names;
}

/** The prompted label ids (`meta.promptedLabels`) with no voxel in the sample's volumes, by key; only keys with some. */
export function volumeEmptyPrompts(sample: Sample): Record<string, number[]> {
  const empty: Record<string, number[]> = {};
  for (const [key, value] of Object.entries(sample)) {
    const prompted = isVolume(value) ? value.meta.promptedLabels : undefined;
    if (!isVolume(value) || !Array.isArray(prompted) || prompted.length === 0) continue;
    const missing = new Set(prompted.filter((id) => id !== 0));
    for (let i = 0; i < value.data.length && missing.size; i++) missing.delete(value.data[i] as number);
    if (missing.size) empty[key] = [...missing].sort((a, b) => a - b);
  }
  return empty;
}

export function volumeFiles(sample: Sample, field: 'filename' | 'saved_to'): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [key, value] of Object.entries(sample)) {
    if (isVolume(value) && typeof value.meta[field] === 'string') files[key] = value.meta[field] as string;
  }
  return files;
}
