/**
 * Spatial transforms on the CT-sized volume (512x512x400 int16, spacing 0.8x0.8x1.0 mm, LPS like a
 * DICOM-derived NIfTI so that Orientationd really flips): throughput of each transform in MVoxel/s of its
 * input, and the in-memory chain Spacingd(1.5) -> CropForegroundd(margin 10) -> Orientationd(RAS) ->
 * Invertd (nearest) with the peak RSS. Loading is measured by bench/image.ts.
 */
import type { Mat4, Volume } from '../src/image/Volume.js';
import { Compose } from '../src/transforms/Compose.js';
import { CropForegroundd } from '../src/transforms/crop/CropForegroundd.js';
import { Invertd } from '../src/transforms/post/Invertd.js';
import { Orientationd } from '../src/transforms/spatial/Orientationd.js';
import { Spacingd } from '../src/transforms/spatial/Spacingd.js';
import type { Sample, Transform } from '../src/transforms/Transform.js';

const SHAPE = [512, 512, 400] as const;
const AFFINE: Mat4 = [
  [-0.8, 0, 0, 204],
  [0, -0.8, 0, 204],
  [0, 0, 1, -200],
  [0, 0, 0, 1],
];

/** Air at -1000 outside a soft-tissue body ellipse (40 HU) with a denser organ and a bone disc, a little noise. */
function syntheticCt(): Volume {
  const [nx, ny, nz] = SHAPE;
  const data = new Int16Array(nx * ny * nz);
  let seed = 7;
  const noise = () => (((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 28) - 8);
  let i = 0;
  for (let x = 0; x < nx; x++) {
    for (let y = 0; y < ny; y++) {
      const ex = (x - 256) / 220;
      const ey = (y - 256) / 170;
      const inBody = ex * ex + ey * ey < 1;
      const organ = ((x - 200) / 60) ** 2 + ((y - 250) / 50) ** 2;
      const bone = ((x - 256) / 25) ** 2 + ((y - 380) / 25) ** 2 < 1;
      for (let z = 0; z < nz; z++, i++) {
        if (!inBody || z < 20 || z > 380) data[i] = -1000 + noise();
        else data[i] = (bone ? 700 : organ + ((z - 200) / 120) ** 2 < 1 ? 120 : 40) + noise();
      }
    }
  }
  return { data, dtype: 'int16', shape: [1, ...SHAPE], affine: AFFINE, meta: { originalAffine: AFFINE, originalSpatialShape: [...SHAPE] }, appliedOperations: [] };
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const row = (name: string, voxels: number, ms: number) =>
  `${name.padEnd(44)} ${(ms / 1000).toFixed(3).padStart(8)} s ${(voxels / ms / 1000).toFixed(1).padStart(9)} MVoxel/s`;

export async function run(): Promise<void> {
  const ct = syntheticCt();
  const voxels = ct.data.length;
  console.log(`input: ${SHAPE.join('x')} int16, spacing 0.8x0.8x1.0 mm, LPS (${(voxels / 1e6).toFixed(1)} MVoxel)`);
  console.log(`${'step'.padEnd(44)} ${'time'.padStart(10)} ${'throughput (input voxels)'.padStart(26)}`);

  const spacing = new Spacingd({ keys: 'image', pixdim: [1.5, 1.5, 1.5], mode: 'bilinear' });
  const crop = new CropForegroundd({ keys: 'image', sourceKey: 'image', margin: 10, allowSmaller: true });
  const orient = new Orientationd({ keys: 'image', axcodes: 'RAS' });
  const steps: Array<[string, Transform]> = [
    ['Spacingd 0.8x0.8x1 -> 1.5 mm (bilinear)', spacing],
    ['CropForegroundd (margin 10)', crop],
    ['Orientationd LPS -> RAS', orient],
  ];
  let sample: Sample = { image: ct };
  let total = 0;
  for (const [name, t] of steps) {
    const n = (sample.image as Volume).data.length;
    const { ms, value } = await timed(() => t.apply(sample));
    sample = value;
    total += ms;
    console.log(row(name, n, ms));
  }
  console.log(row('chain total', voxels, total) + `  -> ${(sample.image as Volume).shape.slice(1).join('x')}`);

  const pred: Volume = { ...(sample.image as Volume), data: (sample.image as Volume).data.map((v) => (v > 100 ? 1 : 0)), appliedOperations: [] };
  const invert = new Invertd({ keys: 'pred', transform: new Compose(steps.map(([, t]) => t)), origKeys: 'image' });
  const { ms } = await timed(() => invert.apply({ ...sample, pred }));
  console.log(row('Invertd (nearest) back to 512x512x400', voxels, ms) + '  (output voxels)');

  const nearest = new Spacingd({ keys: 'image', pixdim: [1.5, 1.5, 1.5], mode: 'nearest' });
  const n = await timed(() => nearest.apply({ image: ct }));
  console.log(row('Spacingd 1.5 mm (nearest)', voxels, n.ms));
  const up = new Spacingd({ keys: 'image', pixdim: [0.7, 0.7, 0.7] });
  const small: Volume = { ...ct, data: ct.data.subarray(0, 128 * 512 * 400), shape: [1, 128, 512, 400] };
  const u = await timed(() => up.apply({ image: small }));
  console.log(row('Spacingd 128x512x400 -> 0.7 mm (upsampling)', small.data.length, u.ms) + `  (${((u.value.image as Volume).data.length / 1e6).toFixed(0)} MVoxel out)`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (whole process so far)`);
}
