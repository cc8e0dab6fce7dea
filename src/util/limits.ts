/**
 * Resource limits that hold for every image a run reads or makes, checked against declared sizes before
 * anything is allocated: a 40 KB .nii.gz can declare 2048x2048x1024 voxels (a gzip bomb), and a header with
 * absurd voxel sizes can make Spacingd ask for a grid larger than any machine. Process-wide because the
 * budget is the user's (`bundle run --max_voxels`), not a bundle's.
 */
import os from 'node:os';
import { BundleError } from '../errors/index.js';

/** 2^28 values (1 GiB as float32): a whole-body CT of 512x512x1000 fits, 1024^3 does not. */
export const DEFAULT_MAX_VOXELS = 2 ** 28;

let maxVoxels = DEFAULT_MAX_VOXELS;

export function voxelBudget(): number {
  return maxVoxels;
}

/** Sets the budget (values in one image, channels included); returns the previous one. */
export function setVoxelBudget(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new BundleError('usage', `--max_voxels must be a positive integer, not ${String(value)}.`, { hint: `the default is ${DEFAULT_MAX_VOXELS}` });
  }
  const previous = maxVoxels;
  maxVoxels = value;
  return previous;
}

/**
 * Throws `image_too_large` when an image of `shape` would exceed the budget; `what` says which image
 * ("the image declares", "Spacingd's output grid would be").
 */
export function checkVoxelBudget(shape: readonly number[], what: string, location: { file?: string; id?: string } = {}): void {
  let count = 1;
  for (const d of shape) count *= d;
  if (shape.every((d) => Number.isSafeInteger(d) && d >= 0) && count <= maxVoxels) return;
  throw new BundleError('image_too_large', `${what} ${shape.join('x')} = ${formatCount(count)} values, more than the limit of ${formatCount(maxVoxels)}.`, {
    hint: `check the image's header (dimensions and voxel sizes); if the size is right, raise the limit with --max_voxels ${Number.isFinite(count) ? Math.ceil(count) : '<n>'} (needs about ${formatBytes(count * 4)} per float32 copy)`,
    location,
  });
}

/** Thread counts beyond the machine's cores only cost memory (one stack and arena each): clamp them. */
export function boundThreads(requested: number | undefined, onClamp: (message: string) => void): number | undefined {
  if (requested === undefined || requested === 0) return requested;
  const cores = os.availableParallelism();
  if (requested <= cores) return requested;
  onClamp(`${requested} threads requested but this machine has ${cores} cores; using ${cores}`);
  return cores;
}

function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : String(n);
}

function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'more memory than exists';
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(n / 2 ** 20)} MiB`;
}
