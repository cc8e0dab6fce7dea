/**
 * Inputs made from the shared images for model-zoo parity tests and the zoo bench, where a bundle's own grid
 * would make the shared image too large to run in reasonable time.
 */
import path from 'node:path';
import { readNifti, writeNifti } from '../../src/image/index.js';
import { withParts, type Mat4 } from '../../src/image/Volume.js';

/** A 64 x 64 x 48 mm block of the 1 mm T1 (prostate_mri_anatomy's 0.5 mm grid would make 512^3 of the whole head; voxels [96, 96, 104] + [64, 64, 48] of the file, affine origin moved to the block's first voxel). */
export async function t1Block(source: string, work: string): Promise<string> {
  const v = await readNifti(source);
  const [x0, y0, z0, nx, ny, nz] = [96, 96, 104, 64, 64, 48];
  const [, X, Y, Z] = v.shape as [number, number, number, number];
  const data = new (v.data.constructor as new (n: number) => typeof v.data)(nx * ny * nz);
  let o = 0;
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) for (let k = 0; k < nz; k++) data[o++] = v.data[((x0 + i) * Y + (y0 + j)) * Z + (z0 + k)]!;
  if (X * Y * Z !== v.data.length || X < x0 + nx || Y < y0 + ny || Z < z0 + nz) throw new Error(`${source}: expected a 256^3 T1, got [${v.shape}]`);
  const origin = [0, 1, 2].map((r) => v.affine[r]![0]! * x0 + v.affine[r]![1]! * y0 + v.affine[r]![2]! * z0 + v.affine[r]![3]!);
  const affine = v.affine.map((row, r) => (r < 3 ? [row[0]!, row[1]!, row[2]!, origin[r]!] : [...row])) as Mat4;
  const file = path.join(work, 't1_block.nii.gz');
  await writeNifti(file, withParts(v, { data, shape: [1, nx, ny, nz], affine }));
  return file;
}

