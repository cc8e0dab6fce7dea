/**
 * Agreement of our VISTA3D output with MONAI's (tools/vista3d/monai_reference.py): used by the parity tests
 * (test/heavy/vista3d-parity.heavy.ts) and the full-size bench (bench/vista3d_real.ts).
 */

/** Largest MONAI decision margin at which a disagreeing voxel is accepted (float32 rounding near the threshold). */
export const PARITY_MARGIN = 1e-3;
/** Smallest accepted fraction of equal voxels. */
export const PARITY_MIN_EQUAL = 0.9999;

export interface ParityReport {
  total: number;
  differ: number;
  /** disagreeing voxels where MONAI's margin exceeded PARITY_MARGIN (or was NaN) */
  farFromThreshold: number;
  /** the largest MONAI margin among disagreeing voxels (0 when none differ) */
  worstMargin: number;
  ourLabels: number[];
  refLabels: number[];
}

/** Voxel-by-voxel comparison of two label maps on the same grid, with MONAI's margin map beside its answer. */
export function compareLabelMaps(ours: ArrayLike<number>, ref: ArrayLike<number>, margin: ArrayLike<number>): ParityReport {
  if (ours.length !== ref.length || margin.length !== ref.length) {
    throw new Error(`label maps differ in size: ours ${ours.length}, MONAI ${ref.length}, margin ${margin.length}`);
  }
  let differ = 0;
  let far = 0;
  let worst = 0;
  const ourSet = new Set<number>();
  const refSet = new Set<number>();
  for (let i = 0; i < ref.length; i++) {
    ourSet.add(ours[i]!);
    refSet.add(ref[i]!);
    if (ours[i] === ref[i]) continue;
    differ++;
    const m = margin[i]!;
    if (!(m <= PARITY_MARGIN)) far++;
    worst = Math.max(worst, Number.isNaN(m) ? Infinity : m);
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { total: ref.length, differ, farFromThreshold: far, worstMargin: worst, ourLabels: sorted(ourSet), refLabels: sorted(refSet) };
}

/** True when the report meets the parity requirement (same labels, enough equal voxels, all differences marginal). */
export function meetsParity(r: ParityReport): boolean {
  return (
    r.farFromThreshold === 0 &&
    1 - r.differ / r.total >= PARITY_MIN_EQUAL &&
    r.ourLabels.length === r.refLabels.length &&
    r.ourLabels.every((v, i) => v === r.refLabels[i])
  );
}

export function describeParity(r: ParityReport): string {
  return (
    `${r.total} voxels, ${r.differ} differ (${((100 * r.differ) / r.total).toFixed(4)}%), ` +
    `largest MONAI margin among them ${r.worstMargin === 0 ? '-' : r.worstMargin.toExponential(2)}, labels ${r.refLabels.length === r.ourLabels.length ? r.refLabels.length : `${r.ourLabels.length} (MONAI ${r.refLabels.length})`}`
  );
}
