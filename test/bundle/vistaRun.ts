/** Runs the VISTA3D bundle through the built CLI into a temporary folder and reads its outputs back. */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readNifti } from '../../src/image/index.js';
import type { Volume } from '../../src/image/Volume.js';
import { bundleCli, type CliResult } from '../cli/bundleCli.js';
import { repoPath } from '../helpers/shared.js';

export const BUNDLE = repoPath('bundle');
export const SAMPLE = path.join(BUNDLE, 'sample', 'totalseg_example_ct_sm.nii.gz');
/** The sample's shape and affine (3 mm isotropic, RAS). */
export const SAMPLE_SHAPE = [1, 122, 101, 30];
export const SAMPLE_AFFINE = [
  [3, 0, 0, -177.95632934570312],
  [0, 3, 0, 11.319000244140625],
  [0, 0, 3, 94.3017578125],
  [0, 0, 0, 1],
];
/** Voxels of the sample (original index) inside TotalSegmentator's spleen (its centroid) and liver (mean 58 HU around it). */
export const SPLEEN_VOXEL = [22, 37, 18];
export const LIVER_VOXEL = [56, 77, 27];
/** For tests about logic, not numbers: no resampling of the 3 mm sample and 64-voxel patches. */
export const FAST = ['--resample_spacing', '[3,3,3]', '--patch_size', '[64,64,64]'];

export const config = (...names: string[]): string => JSON.stringify(names.map((n) => path.join(BUNDLE, 'configs', n)));

export interface VistaRun extends CliResult {
  outputDir: string;
  /** every .nii.gz written under outputDir, sorted */
  files: string[];
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `vista3d-${prefix}-`));
}

/** `bundle run --config_file <configs> --bundle_root bundle --output_dir <tmp> --input_dict <json> ...extra`. */
export async function runVista(inputDict: unknown, extra: string[] = [], configs: string[] = ['inference.json']): Promise<VistaRun> {
  const outputDir = tempDir('out');
  const args = ['run', '--config_file', config(...configs), '--bundle_root', BUNDLE, '--output_dir', outputDir];
  if (inputDict !== undefined) args.push('--input_dict', JSON.stringify(inputDict));
  const result = await bundleCli([...args, ...extra]);
  return { ...result, outputDir, files: niftiFiles(outputDir) };
}

export function niftiFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.nii.gz')) out.push(p);
    }
  };
  walk(folder);
  return out;
}

/** Label id -> voxel count. */
export function labelCounts(volume: Volume): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of volume.data) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

export const valueAt = (v: Volume, [x, y, z]: readonly number[]): number => v.data[(x! * v.shape[2]! + y!) * v.shape[3]! + z!]!;

export async function readOutput(run: VistaRun, index = 0): Promise<Volume> {
  const file = run.files[index];
  if (!file) throw new Error(`no output written (exit ${run.code}):\n${run.stderr}`);
  return readNifti(file);
}

export function cleanup(run: { outputDir: string }): void {
  rmSync(run.outputDir, { recursive: true, force: true });
}
