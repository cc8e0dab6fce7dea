/**
 * The end-to-end test bundle (test/fixtures/engine/threshold_bundle) copied to a temporary folder, with its
 * generated input and network: a CT-like phantom in LPS orientation at 2 mm (so Spacingd, CropForegroundd
 * and Orientationd all change the grid and Invertd has real work to undo) and an ONNX network that outputs
 * `input > 0.5` as float32. The expected prediction on the input grid is therefore `HU > 0`.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeNifti } from '../../src/image/nifti/write.js';
import type { Volume } from '../../src/image/Volume.js';
import { GraphBuilder } from '../../src/inference/onnx/build.js';
import { repoPath } from '../helpers/shared.js';

export const PHANTOM_SHAPE = [20, 18, 12];
export const PHANTOM_AFFINE = [
  [-2, 0, 0, 40],
  [0, -2, 0, 30],
  [0, 0, 2, -10],
  [0, 0, 0, 1],
];

/** HU values: air (-1001) outside a sphere whose values fall from 301 at the centre to -199 at its edge (odd, never 0). */
export function phantomValues(): Int16Array {
  const [X, Y, Z] = PHANTOM_SHAPE as [number, number, number];
  const data = new Int16Array(X * Y * Z);
  const c = [9.3, 8.1, 5.6];
  for (let x = 0; x < X; x++)
    for (let y = 0; y < Y; y++)
      for (let z = 0; z < Z; z++) {
        const r = Math.hypot(x - c[0]!, y - c[1]!, (z - c[2]!) * 1.4);
        const hu = r > 6 ? -1001 : 2 * Math.round((300 - (500 * r) / 6) / 2) + 1;
        data[(x * Y + y) * Z + z] = hu;
      }
  return data;
}

export function thresholdModel(): Uint8Array {
  const g = new GraphBuilder('threshold');
  g.input('input', 'float32', [null, 1, null, null, null]);
  g.initializer('half', new Float32Array([0.5]), []);
  g.node('Greater', ['input', 'half'], ['mask']);
  g.node('Cast', ['mask'], ['output'], { to: 1 });
  g.output('output', 'float32', [null, 1, null, null, null]);
  return g.toModel({ opset: 17 });
}

/** A fresh copy of the bundle with inputs/phantom.nii.gz and models/threshold.onnx; returns its root. */
export async function makeThresholdBundle(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'threshold-bundle-'));
  cpSync(repoPath('test/fixtures/engine/threshold_bundle'), root, { recursive: true });
  mkdirSync(path.join(root, 'models'), { recursive: true });
  writeFileSync(path.join(root, 'models', 'threshold.onnx'), thresholdModel());
  const volume: Volume = {
    data: phantomValues(),
    dtype: 'int16',
    shape: [1, ...PHANTOM_SHAPE],
    affine: PHANTOM_AFFINE.map((r) => r.slice()),
    meta: { originalAffine: PHANTOM_AFFINE, originalSpatialShape: PHANTOM_SHAPE },
    appliedOperations: [],
  };
  await writeNifti(path.join(root, 'inputs', 'phantom.nii.gz'), volume);
  return root;
}
