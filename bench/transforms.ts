/**
 * Transform throughput in million voxels per second, each on the same synthetic 256^3 float32 CT-like
 * volume (a body ellipse of soft tissue, a denser organ, a bone disc, air outside, a little noise).
 * Each case runs a warm-up then the best of 3 timed runs is reported. Add a case: append to `cases`.
 * H3a and H3b share this file.
 */
import { identity4, type Volume } from '../src/image/Volume.js';
import { ScaleIntensityd } from '../src/transforms/intensity/ScaleIntensityd.js';
import { ScaleIntensityRanged } from '../src/transforms/intensity/ScaleIntensityRanged.js';
import { NanToNumd } from '../src/transforms/intensity/NanToNumd.js';
import { NormalizeIntensityd } from '../src/transforms/intensity/NormalizeIntensityd.js';
import { Resized } from '../src/transforms/spatial/Resized.js';
import { Activationsd } from '../src/transforms/post/Activationsd.js';
import { AsDiscreted } from '../src/transforms/post/AsDiscreted.js';
import { labelComponents } from '../src/transforms/post/connectedComponents.js';
import { KeepLargestConnectedComponentd } from '../src/transforms/post/KeepLargestConnectedComponentd.js';
import type { Sample, Transform } from '../src/transforms/Transform.js';
import { CastToTyped } from '../src/transforms/utility/CastToTyped.js';

const N = 256;

/** A CT-like float32 volume in HU, [1, n, n, n], deterministic. */
export function syntheticCt(n = N): Volume {
  const data = new Float32Array(n * n * n);
  let seed = 42;
  const noise = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 20;
  const c = (n - 1) / 2;
  let i = 0;
  for (let x = 0; x < n; x++)
    for (let y = 0; y < n; y++)
      for (let z = 0; z < n; z++, i++) {
        const ex = (x - c) / (0.45 * n);
        const ey = (y - c) / (0.35 * n);
        let v = -1000;
        if (ex * ex + ey * ey < 1) {
          v = 40;
          const ox = (x - c * 0.7) / (0.12 * n);
          const oy = (y - c) / (0.1 * n);
          const oz = (z - c) / (0.3 * n);
          if (ox * ox + oy * oy + oz * oz < 1) v = 120;
          const bx = (x - c * 1.2) / (0.06 * n);
          const by = (y - c * 1.3) / (0.06 * n);
          if (bx * bx + by * by < 1) v = 900;
        }
        data[i] = v + noise();
      }
  return {
    data,
    dtype: 'float32',
    shape: [1, n, n, n],
    affine: identity4(),
    meta: { originalAffine: identity4(), originalSpatialShape: [n, n, n] },
    appliedOperations: [],
  };
}

/** A label map with scattered specks around the body: what KeepLargestConnectedComponentd cleans up. */
function labelMap(ct: Volume): Volume {
  const data = new Float32Array(ct.data.length);
  for (let i = 0; i < data.length; i++) data[i] = ct.data[i]! > 100 ? 1 : ct.data[i]! < -1009 ? 2 : 0;
  return { ...ct, data };
}

/** 125 labels, one per 5x5x5 block of the volume, each block's label inside the body plus far specks. */
function manyLabels(ct: Volume): Volume {
  const n = ct.shape[1]!;
  const block = Math.ceil(n / 5);
  const data = new Float32Array(ct.data.length);
  for (let x = 0, i = 0; x < n; x++)
    for (let y = 0; y < n; y++)
      for (let z = 0; z < n; z++, i++) {
        const label = 1 + Math.floor(x / block) * 25 + Math.floor(y / block) * 5 + Math.floor(z / block);
        data[i] = ct.data[i]! > 30 ? label : ct.data[i]! < -1009 ? (label % 125) + 1 : 0;
      }
  return { ...ct, data };
}

interface Case {
  name: string;
  transform: Transform;
  sample: (ct: Volume) => Sample;
}

export const cases: Case[] = [
  { name: 'ScaleIntensityRanged (clip)', transform: new ScaleIntensityRanged({ keys: 'image', aMin: -963.8, aMax: 1053.7, bMin: 0, bMax: 1, clip: true }), sample: (ct) => ({ image: ct }) },
  { name: 'ScaleIntensityd', transform: new ScaleIntensityd({ keys: 'image' }), sample: (ct) => ({ image: ct }) },
  { name: 'NormalizeIntensityd (nonzero)', transform: new NormalizeIntensityd({ keys: 'image', nonzero: true }), sample: (ct) => ({ image: ct }) },
  { name: 'Resized (area, 256^3 -> 96^3)', transform: new Resized({ keys: 'image', spatialSize: [96, 96, 96] }), sample: (ct) => ({ image: ct }) },
  { name: 'Resized (trilinear, 256^3 -> 160^3)', transform: new Resized({ keys: 'image', spatialSize: [160, 160, 160], mode: 'trilinear' }), sample: (ct) => ({ image: ct }) },
  { name: 'NanToNumd', transform: new NanToNumd({ keys: 'image' }), sample: (ct) => ({ image: ct }) },
  { name: 'CastToTyped (float32 -> int16)', transform: new CastToTyped({ keys: 'image', dtype: 'int16' }), sample: (ct) => ({ image: ct }) },
  { name: 'Activationsd (sigmoid)', transform: new Activationsd({ keys: 'pred', sigmoid: true }), sample: (ct) => ({ pred: ct }) },
  { name: 'AsDiscreted (threshold)', transform: new AsDiscreted({ keys: 'pred', threshold: 0 }), sample: (ct) => ({ pred: ct }) },
  {
    name: 'AsDiscreted (argmax, 2 channels)',
    transform: new AsDiscreted({ keys: 'pred', argmax: true }),
    sample: (ct) => {
      const two = new Float32Array(ct.data.length * 2);
      two.set(ct.data);
      for (let i = 0; i < ct.data.length; i++) two[ct.data.length + i] = -ct.data[i]!;
      return { pred: { ...ct, data: two, shape: [2, ...ct.shape.slice(1)] } };
    },
  },
  { name: 'KeepLargestConnectedComponentd (2 labels)', transform: new KeepLargestConnectedComponentd({ keys: 'pred' }), sample: (ct) => ({ pred: labelMap(ct) }) },
  { name: 'KeepLargestConnectedComponentd (125 labels)', transform: new KeepLargestConnectedComponentd({ keys: 'pred' }), sample: (ct) => ({ pred: manyLabels(ct) }) },
];

async function time(fn: () => unknown, repeats = 3): Promise<number> {
  await fn();
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function row(name: string, voxels: number, ms: number): string {
  return `${name.padEnd(48)} ${(ms / 1000).toFixed(3).padStart(8)} s ${(voxels / ms / 1000).toFixed(1).padStart(9)} MVoxel/s`;
}

export async function run(): Promise<void> {
  const ct = syntheticCt();
  const voxels = ct.data.length;
  console.log(`volume: ${N}x${N}x${N} float32 (${(voxels / 1e6).toFixed(1)} MVoxel); best of 3 after a warm-up`);
  console.log(`${'transform'.padEnd(48)} ${'time'.padStart(10)} ${'throughput'.padStart(18)}`);
  for (const c of cases) {
    const sample = c.sample(ct);
    const ms = await time(() => c.transform.apply(sample));
    console.log(row(c.name, voxels, ms));
  }
  // connected components on a full-size CT mask (512x512x400, 105 MVoxel: body > -500 HU)
  const big = syntheticCt(400);
  const mask = new Uint8Array(big.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = big.data[i]! > 30 ? 1 : 0;
  for (const connectivity of [1, 3]) {
    let count = 0;
    const ms = await time(() => (count = labelComponents(mask, [400, 400, 400], connectivity).count), 1);
    console.log(row(`labelComponents 400^3 noisy mask, connectivity ${connectivity}`, mask.length, ms) + `  (${count} components)`);
  }
}
