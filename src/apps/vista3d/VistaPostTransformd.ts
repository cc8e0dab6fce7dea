/**
 * MONAI's `VistaPostTransformd` (spec 3.7): logits `[K, X, Y, Z]` in network space -> one label map
 * `[1, X, Y, Z]`: the clicks-only component filter, negatives to 0, arg-max + 1 over several prompts (highest
 * logit wins, ties go to the first prompt, all <= 0 is background) or `> 0` for one prompt, then index ->
 * class id through `label_prompt`. NaN (voxels no point window computed) stays NaN for NaN -> 255 later.
 *
 * A prediction whose meta carries ARGMAX_DONE already holds the arg-max indices 1..K (Vista3dInferer takes the
 * arg-max slab by slab for many prompts, so that no `[K, X, Y, Z]` float32 array ever exists); only the
 * id mapping is left to do here.
 */
import { BundleError } from '../../errors/index.js';
import { type Volume, type VolumeMeta, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema } from '../../transforms/MapTransform.js';
import type { Sample } from '../../transforms/Transform.js';
import { keepComponentsWithPositivePoints } from './componentsCombine.js';
import { LAST_SUPPORTED_ID } from './labels.js';

/** meta key: the volume holds arg-max indices (0 = background, i = prompt i), not logits */
export const ARGMAX_DONE = 'vista3dArgmaxDone';

/**
 * Folds `count` channels of logits (C order `[count, n]`) into a running arg-max: `bestValue` starts at 0 and
 * `bestIndex` at 0 (background); channel c of this batch is prompt `firstIndex + c` (1-based). A channel
 * replaces the best only when strictly greater, so ties keep the earlier prompt and values <= 0 (and NaN)
 * never win, which is MONAI's clamp-then-argmax.
 */
export function foldArgmax(
  logits: Float32Array,
  count: number,
  firstIndex: number,
  bestValue: Float32Array,
  bestIndex: Uint16Array,
  logitsOffset = 0,
  voxelOffset = 0,
  n = bestValue.length - voxelOffset,
  channelStride = n,
): void {
  for (let c = 0; c < count; c++) {
    const base = logitsOffset + c * channelStride;
    const index = firstIndex + c;
    for (let i = 0; i < n; i++) {
      const v = logits[base + i]!;
      if (v > bestValue[voxelOffset + i]!) {
        bestValue[voxelOffset + i] = v;
        bestIndex[voxelOffset + i] = index;
      }
    }
  }
}

export interface PostPrompts {
  labelPrompt: readonly number[] | null;
  /** clicks in the prediction's index frame (network space) */
  points: readonly (readonly number[])[] | null;
  pointLabels: readonly number[] | null;
}

/** Spec 3.7 on plain arrays: logits `[K, ...spatialShape]` -> a float32 label map of `spatialShape`. */
export function postProcessLogits(logits: Float32Array, channels: number, spatialShape: readonly number[], prompts: PostPrompts): Float32Array {
  const n = spatialShape.reduce((a, b) => a * b, 1);
  let data = logits;
  if (prompts.labelPrompt === null && prompts.points !== null) {
    data = keepComponentsWithPositivePoints(logits.subarray(0, n), spatialShape, prompts.points, prompts.pointLabels ?? []);
  }
  const out = new Float32Array(n);
  if (channels > 1) {
    const bestValue = new Float32Array(n);
    const bestIndex = new Uint16Array(n);
    foldArgmax(data, channels, 1, bestValue, bestIndex);
    for (let i = 0; i < n; i++) out[i] = bestIndex[i]!;
  } else {
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      out[i] = Number.isNaN(v) ? NaN : v > 0 ? 1 : 0;
    }
  }
  if (prompts.labelPrompt !== null) mapIndicesToIds(out, prompts.labelPrompt);
  return out;
}

/** index i -> label_prompt[i - 1]; 0 and NaN unchanged. In place. */
export function mapIndicesToIds(labels: Float32Array, labelPrompt: readonly number[]): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v > 0) labels[i] = labelPrompt[v - 1]!;
  }
}

export class VistaPostTransformd extends MapTransform {
  readonly name = 'VistaPostTransformd';

  protected override transformVolume(volume: Volume, key: string, sample: Sample): Volume {
    const prompts: PostPrompts = {
      labelPrompt: numberList(sample.label_prompt, 'label_prompt', this.id),
      points: (sample.points as number[][] | undefined) ?? null,
      pointLabels: (sample.point_labels as number[] | undefined) ?? null,
    };
    const [channels, ...spatialShape] = volume.shape as [number, ...number[]];
    if (volume.meta[ARGMAX_DONE]) {
      const labels = Float32Array.from(volume.data);
      if (prompts.labelPrompt) mapIndicesToIds(labels, prompts.labelPrompt);
      const meta: VolumeMeta = { ...volume.meta, ...promptedOf(prompts) };
      delete meta[ARGMAX_DONE];
      return withParts(volume, { data: labels, dtype: 'float32', shape: [1, ...spatialShape], meta });
    }
    if (prompts.labelPrompt && prompts.labelPrompt.length !== channels) {
      throw new BundleError('invalid_data', `${this.name} got ${channels} prediction channels under "${key}" but ${prompts.labelPrompt.length} label prompts.`, {
        hint: 'the prediction must have one channel per label prompt, as Vista3dInferer produces',
        location: { id: this.id, path: key },
      });
    }
    const logits = volume.data instanceof Float32Array ? volume.data : Float32Array.from(volume.data);
    const labels = postProcessLogits(logits, channels, spatialShape, prompts);
    const labelNames = promptLabelNames(prompts);
    const meta = { ...volume.meta, ...(labelNames ? { labelNames } : {}), ...promptedOf(prompts) };
    return withParts(volume, { data: labels, dtype: 'float32', shape: [1, ...spatialShape], meta });
  }
}

/**
 * Names the metadata's channel_def cannot give: clicks alone write 1 for the clicked object (not class 1,
 * liver), and a zero-shot prompt writes its own id (133-254), which has no name.
 */
export function promptLabelNames(prompts: PostPrompts): Record<string, string> | null {
  if (prompts.labelPrompt === null) return prompts.points === null ? null : { '1': 'object at the clicks' };
  const zeroShot = prompts.labelPrompt.filter((id) => id > LAST_SUPPORTED_ID);
  return zeroShot.length ? Object.fromEntries(zeroShot.map((id) => [String(id), `zero-shot object ${id}`])) : null;
}

/** `meta.promptedLabels` when the user prompted class ids, so the label summary can list the empty ones. */
function promptedOf(prompts: PostPrompts): { promptedLabels?: number[] } {
  return prompts.labelPrompt ? { promptedLabels: [...prompts.labelPrompt] } : {};
}

function numberList(value: unknown, key: string, id?: string): number[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value;
  throw new BundleError('invalid_data', `VistaPostTransformd expects "${key}" to be a list of class ids.`, {
    hint: 'run VistaPostTransformd on the output of Vista3dEvaluator, which sets the validated prompts',
    location: { id, path: key },
  });
}

export const vistaPostTransformdEntry: ComponentEntry = {
  name: 'VistaPostTransformd',
  aliases: ['monai.apps.vista3d.transforms.VistaPostTransformd'],
  description: 'VISTA3D logits to a label map: clicks-only component filter, arg-max or threshold, prompt index to class id',
  argsSchema: mapTransformSchema({}),
  create(args: Record<string, any>, context) {
    return new VistaPostTransformd({ keys: args.keys, allowMissingKeys: args.allow_missing_keys, id: context.id });
  },
};
