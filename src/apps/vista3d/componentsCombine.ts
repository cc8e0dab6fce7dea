/**
 * The click-driven component logic of VISTA3D, on one object's logit map (C order over `spatialShape`):
 * - `connectedComponentsCombine` (spec 3.5, MONAI `VISTA3D.connected_components_combine`): where label and
 *   click prompts meet in a patch, the point-head logits replace the class-head logits only inside the
 *   26-connected components that the clicks select;
 * - `keepComponentsWithPositivePoints` (spec 3.7, MONAI `keep_components_with_positive_points`): for
 *   clicks-only requests, positive regions that contain no positive click are switched off.
 * Voxel look-ups round half to even, as numpy and torch do.
 */
import { componentAt, labelComponents, largestLabelInCube } from '../../transforms/post/connectedComponents.js';
import { roundHalfEven } from '../../transforms/spatial/resample.js';

const POSITIVE = [1, 3];
const NEGATIVE = [0, 2];

/** sigmoid(x) > 0.5 as float32 torch computes it: slightly stricter than x > 0 for |x| below ~1e-7. */
export function sigmoidAboveHalf(x: number): boolean {
  return Math.fround(1 / (1 + Math.exp(-x))) > 0.5;
}

/**
 * MONAI's `keep_merge_components_with_points` (margins 3): for each click, the component of `positive` (clicks
 * labelled 1/3) or `negative` (0/2) found at the rounded click voxel, else in the 3³ cube, else in the 5³ cube;
 * within the first cube that touches a component, the highest component number wins. Returns the union.
 */
export function keepMergeComponentsWithPoints(
  positive: Uint8Array,
  negative: Uint8Array,
  spatialShape: readonly number[],
  points: readonly (readonly number[])[],
  pointLabels: readonly number[],
  margins = 3,
): Uint8Array {
  const out = new Uint8Array(positive.length);
  let posComponents: Int32Array | null = null;
  let negComponents: Int32Array | null = null;
  points.forEach((p, n) => {
    let components: Int32Array;
    if (POSITIVE.includes(pointLabels[n]!)) components = posComponents ??= componentsOf(positive, spatialShape);
    else if (NEGATIVE.includes(pointLabels[n]!)) components = negComponents ??= componentsOf(negative, spatialShape);
    else return;
    const centre = p.map(roundHalfEven);
    for (let margin = 0; margin < margins; margin++) {
      const found = largestLabelInCube(components, spatialShape, centre, margin);
      if (found > 0) {
        for (let i = 0; i < components.length; i++) if (components[i] === found) out[i] = 1;
        break;
      }
    }
  });
  return out;
}

/**
 * Spec 3.5 for one object in one patch. `auto` is the class-head logit map (or the previous mask), `point` the
 * point-head map; clicks are patch-local, labels without -1 entries. Returns `auto·(1−cc') + point·cc'` with
 * `cc'` = selected components ∪ NaN voxels of `auto` (as in MONAI, a NaN in `auto` stays NaN: NaN·0 is NaN).
 */
export function connectedComponentsCombine(
  auto: Float32Array,
  point: Float32Array,
  spatialShape: readonly number[],
  points: readonly (readonly number[])[],
  pointLabels: readonly number[],
): Float32Array {
  const strides = [spatialShape[1]! * spatialShape[2]!, spatialShape[2]!, 1];
  // MONAI raises IndexError for a click rounding onto the patch's far edge (127.5 < p < 128); we clamp
  const inside = points.some((p) => {
    const index = p.reduce((sum, c, axis) => sum + Math.min(Math.max(roundHalfEven(c), 0), spatialShape[axis]! - 1) * strides[axis]!, 0);
    return auto[index]! > 0;
  });
  const n = auto.length;
  const positive = new Uint8Array(n);
  const negative = new Uint8Array(n);
  const pointPositive = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = auto[i]!;
    const autoOn = !Number.isNaN(a) && sigmoidAboveHalf(a);
    const pointOn = sigmoidAboveHalf(point[i]!);
    pointPositive[i] = pointOn ? 1 : 0;
    positive[i] = (!autoOn || inside) && pointOn ? 1 : 0;
    negative[i] = autoOn && !pointOn ? 1 : 0;
  }
  const cc = keepMergeComponentsWithPoints(positive, negative, spatialShape, points, pointLabels);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = auto[i]!;
    const isNan = Number.isNaN(a);
    let p = point[i]!;
    if (isNan && pointPositive[i] && !cc[i]) p = -1;
    const take = isNan || cc[i] === 1 ? 1 : 0;
    out[i] = a * (1 - take) + p * take;
  }
  return out;
}

/**
 * Spec 3.7 step 1 for one object: if any click is positive (1/3), positive voxels (logit > 0, NaN = off) outside
 * the components holding a positive click take the mean logit of every voxel that is neither kept nor NaN.
 * Clicks are in the same index frame as `logits` and must lie inside it. Returns a new array.
 */
export function keepComponentsWithPositivePoints(
  logits: Float32Array,
  spatialShape: readonly number[],
  points: readonly (readonly number[])[],
  pointLabels: readonly number[],
): Float32Array {
  const out = Float32Array.from(logits);
  const clicks = [...points.filter((_, n) => pointLabels[n] === 3), ...points.filter((_, n) => pointLabels[n] === 1)];
  if (clicks.length === 0) return out;
  const n = logits.length;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = logits[i]! > 0 ? 1 : 0;
  const components = componentsOf(mask, spatialShape);
  const keepIds = new Set<number>();
  for (const p of clicks) {
    const id = componentAt(components, spatialShape, p.map(roundHalfEven));
    if (id !== 0) keepIds.add(id);
  }
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    if (!keepIds.has(components[i]!) && !Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  const fill = Math.fround(sum / count);
  for (let i = 0; i < n; i++) if (mask[i] && !keepIds.has(components[i]!)) out[i] = fill;
  return out;
}

function componentsOf(mask: Uint8Array, spatialShape: readonly number[]): Int32Array {
  return labelComponents(mask, spatialShape, 3).labels;
}
