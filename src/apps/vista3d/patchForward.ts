/**
 * What MONAI's `VISTA3D.forward` does for one patch (spec 3.4), over the graphs of network.ts:
 * clicks are moved into the patch and kept only strictly inside it (`start < p < stop`, label -1 dropped);
 * no class ids and no click left -> a constant -9999 map; class ids -> class head, plus point head and
 * connected_components_combine when clicks remain; clicks only -> point head (zero-shot flag for ids > 132),
 * merged into the previous mask through the same combine when one is given.
 */
import { connectedComponentsCombine } from './componentsCombine.js';
import { LAST_SUPPORTED_ID } from './labels.js';
import type { Features, Vista3dNetwork } from './network.js';

/** MONAI's NINF_VALUE: the logit of "nothing asked for here". */
export const NO_PROMPT_LOGIT = -9999;

export interface PatchPrompts {
  /** class-head ids, or null (clicks only, or a zero-shot id) */
  classIds: readonly number[] | null;
  /** the prompt id that goes with the clicks (zero-shot when > 132), or null for clicks only */
  promptClass: number | null;
  /** clicks in the same (padded) index frame as the window starts, or null */
  points: readonly (readonly number[])[] | null;
  pointLabels: readonly number[] | null;
}

export interface LocalClicks {
  points: number[][];
  labels: number[];
}

/** MONAI's `update_point_to_patch` for one object, minus the -1 clicks; null when no click is left. */
export function clicksInPatch(
  points: readonly (readonly number[])[],
  labels: readonly number[],
  start: readonly number[],
  roiSize: readonly number[],
): LocalClicks | null {
  const local: LocalClicks = { points: [], labels: [] };
  points.forEach((p, n) => {
    const inside = p.every((c, axis) => c - start[axis]! > 0 && start[axis]! + roiSize[axis]! - c > 0);
    if (inside && labels[n] !== -1) {
      local.points.push(p.map((c, axis) => c - start[axis]!));
      local.labels.push(labels[n]!);
    }
  });
  return local.points.length > 0 ? local : null;
}

/**
 * Logits `[K, ...roi]` for window `index` of a batch that `encode` encodes (lazily: patches without prompts
 * never run the encoder). `previous` is the previous mask over this window. Class-head logits are written
 * straight into `target` when given (the caller's output batch), saving a copy of K·P³ floats.
 */
export async function forwardPatch(
  network: Vista3dNetwork,
  encode: () => Promise<Features>,
  index: number,
  start: readonly number[],
  roiSize: readonly number[],
  prompts: PatchPrompts,
  previous: Float32Array | null = null,
  target?: Float32Array,
): Promise<Float32Array> {
  const voxels = roiSize.reduce((a, b) => a * b, 1);
  const clicks = prompts.points && prompts.pointLabels ? clicksInPatch(prompts.points, prompts.pointLabels, start, roiSize) : null;
  const objects = prompts.classIds?.length ?? 1;
  if (!clicks && !prompts.classIds) return (target ?? new Float32Array(objects * voxels)).fill(NO_PROMPT_LOGIT);

  const features = await encode();
  const pointLogits = async (): Promise<Float32Array> => {
    const zeroShot = prompts.promptClass !== null && prompts.promptClass > LAST_SUPPORTED_ID;
    return network.pointLogits(features, index, [clicks!.points], [clicks!.labels], [zeroShot]);
  };
  if (prompts.classIds) {
    const logits = target ?? new Float32Array(prompts.classIds.length * voxels);
    await network.classLogits(features, index, prompts.classIds, logits, 0);
    if (!clicks) return logits;
    // validation allows clicks with a single object only, so K = 1 here
    return connectedComponentsCombine(logits, await pointLogits(), roiSize, clicks.points, clicks.labels);
  }
  const logits = await pointLogits();
  return previous ? connectedComponentsCombine(previous, logits, roiSize, clicks!.points, clicks!.labels) : logits;
}
