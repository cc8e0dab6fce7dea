/**
 * The labels of an output label map: every label with its name (from the metadata's channel_def), voxel count
 * and volume in mL (voxel volume from the output affine). Generic: any bundle whose output is a label map
 * (VISTA3D, MeshNet) gets it; `bundle run` prints it and `bundle serve` returns it.
 */
import { linearPart } from '../image/geometry.js';
import type { Volume } from '../image/Volume.js';

export interface LabelCount {
  id: number;
  name: string | null;
  voxels: number;
  volumeMl: number;
  /** set on a label the user prompted that has no voxel (voxels 0), so it is listed rather than silently missing */
  promptedEmpty?: true;
}

/** VISTA3D's value for voxels no point window computed; named when the channel_def does not name it. */
export const NOT_COMPUTED = 255;

/** The channel_def of the first output in `network_data_format.outputs` that has one, or null. */
export function channelDefOf(metadata: unknown): Record<string, string> | null {
  const outputs = (metadata as { network_data_format?: { outputs?: Record<string, { channel_def?: unknown }> } } | null)?.network_data_format?.outputs;
  for (const output of Object.values(outputs ?? {})) {
    const def = output?.channel_def;
    if (def && typeof def === 'object' && !Array.isArray(def)) return def as Record<string, string>;
  }
  return null;
}

/** Cubic millimetres per voxel: |det| of the affine's linear part. */
export function voxelVolumeMm3(affine: number[][]): number {
  const [a, b, c] = linearPart(affine) as [number[], number[], number[]];
  return Math.abs(a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!));
}

/**
 * The labels other than 0 (background), by id. Returns null when the volume does not look like a label map
 * (non-integer or negative values), so probability outputs are not summarised as thousands of "labels".
 * `prompted` ids with no voxel are listed too, with 0 voxels and `promptedEmpty`.
 */
export function labelSummary(volume: Volume, channelDef: Record<string, string> | null = null, prompted: readonly number[] = []): LabelCount[] | null {
  const counts = new Map<number, number>();
  for (const value of volume.data) {
    if (value === 0) continue;
    if (!Number.isInteger(value) || value < 0) return null;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const mm3 = voxelVolumeMm3(volume.affine);
  const empty = new Set(prompted.filter((id) => id !== 0 && !counts.has(id)));
  return [...counts, ...[...empty].map((id): [number, number] => [id, 0])]
    .sort((a, b) => a[0] - b[0])
    .map(([id, voxels]) => ({
      id,
      name: channelDef?.[String(id)] ?? (id === NOT_COMPUTED ? 'not computed (outside the point windows)' : null),
      voxels,
      volumeMl: (voxels * mm3) / 1000,
      ...(empty.has(id) ? { promptedEmpty: true as const } : {}),
    }));
}

