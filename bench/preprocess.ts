/**
 * The preprocessing process, measured whole: a fresh `node` process runs a small bundle config
 * through the product's API (loadConfig + the default registry, from the built dist/) whose `preprocessing`
 * Compose is LoadImaged -> EnsureChannelFirstd -> Spacingd(1.5 mm, bilinear) -> CropForegroundd(margin 10)
 * -> ScaleIntensityRanged -> Orientationd(RAS), on the CT-like 512x512x400 int16 .nii.gz of bench/image.ts,
 * and on the same voxels stored LPS (x and y pointing left and posterior, as in many DICOM-derived
 * NIfTIs) so that Orientationd really flips two axes. Reports per stage wall and CPU time, input MVoxel/s and the peak RSS reached so far; then the process's
 * own total wall (spawn to exit), CPU and peak RSS. Each transform's throughput on its own is in
 * bench/transforms.ts and bench/spatial.ts.
 * Targets: < 5 s wall, < 1.3 GB peak. (MONAI's figures for the same pipeline are not measured here: a
 * figure from another run is no comparison.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Mat4 } from '../src/image/Volume.js';
import { writeNifti } from '../src/image/nifti/write.js';
import { syntheticCtFile, syntheticCtVolume } from './image.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(repo, 'dist');

/** The config a bundle would write for this chain (VISTA3D's intensity window). */
export function preprocessConfig(image: string): Record<string, unknown> {
  return {
    image,
    preprocessing: {
      _target_: 'Compose',
      transforms: [
        { _target_: 'LoadImaged', keys: 'image' },
        { _target_: 'EnsureChannelFirstd', keys: 'image' },
        { _target_: 'Spacingd', keys: 'image', pixdim: [1.5, 1.5, 1.5], mode: 'bilinear' },
        { _target_: 'CropForegroundd', keys: 'image', source_key: 'image', margin: 10, allow_smaller: true },
        { _target_: 'ScaleIntensityRanged', keys: 'image', a_min: -963.8, a_max: 1053.7, b_min: 0, b_max: 1, clip: true },
        { _target_: 'Orientationd', keys: 'image', axcodes: 'RAS' },
      ],
    },
  };
}

interface Stage {
  name: string;
  ms: number;
  cpuMs: number;
  inVoxels: number;
  out: string;
  maxRssMiB: number;
}

interface ChildReport {
  stages: Stage[];
  setupMs: number;
  cpuMs: number;
  maxRssMiB: number;
}

/** Runs inside the child: its own timings, from its own start. */
const childCode = (configFile: string) => `
  const { loadConfig } = await import(${JSON.stringify(pathToFileURL(path.join(dist, 'config', 'index.js')).href)});
  const { defaultRegistry } = await import(${JSON.stringify(pathToFileURL(path.join(dist, 'cli', 'registry.js')).href)});
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const rss = () => process.resourceUsage().maxRSS / 1024;
  const config = await loadConfig({ configFiles: [${JSON.stringify(configFile)}], registry: defaultRegistry() });
  const compose = await config.resolve('preprocessing');
  let sample = { image: await config.resolve('image') };
  const setupMs = performance.now();
  const stages = [];
  for (const t of compose.transforms) {
    const v = sample.image;
    const inVoxels = typeof v === 'string' ? 512 * 512 * 400 : v.data.length;
    const t0 = performance.now(), c0 = cpu();
    sample = await t.apply(sample);
    const out = sample.image;
    stages.push({ name: t.name, ms: performance.now() - t0, cpuMs: cpu() - c0, inVoxels, out: out.shape.slice(1).join('x') + ' ' + out.dtype, maxRssMiB: rss() });
  }
  console.log(JSON.stringify({ stages, setupMs, cpuMs: cpu(), maxRssMiB: rss() }));
`;

function runChild(configFile: string): { report: ChildReport; wallMs: number } {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', childCode(configFile)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wallMs = performance.now() - t0;
  if (child.status !== 0) throw new Error(`preprocessing process failed: ${child.stderr}`);
  return { report: JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildReport, wallMs };
}

/** Newest .ts under src/ later than dist/: the figures would be for older code. */
function distIsStale(): boolean {
  const built = statSync(path.join(dist, 'cli', 'registry.js')).mtimeMs;
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(path.join(dir, e.name)).mtimeMs : 0)));
  return newest(path.join(repo, 'src')) > built;
}

/** bench/image.ts's CT with an LPS affine (same voxels and spacing), cached beside it. */
async function lpsCtFile(): Promise<string> {
  const ras = await syntheticCtFile();
  const file = ras.replace(/\.nii\.gz$/, '_lps.nii.gz');
  if (existsSync(file)) return file;
  const volume = syntheticCtVolume();
  const [X, Y, Z] = volume.shape.slice(1) as [number, number, number];
  const affine: Mat4 = [
    [-0.8, 0, 0, ((X - 1) / 2) * 0.8],
    [0, -0.8, 0, ((Y - 1) / 2) * 0.8],
    [0, 0, 1, -(Z - 1) / 2],
    [0, 0, 0, 1],
  ];
  await writeNifti(file, { ...volume, affine, meta: { originalAffine: affine, originalSpatialShape: [X, Y, Z] } }, { dtype: 'int16', compressionLevel: 6 });
  return file;
}

function printRuns(title: string, runs: { report: ChildReport; wallMs: number }[]): void {
  const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const { stages, setupMs } = best.report;
  console.log(`\n${title}: a fresh process each run, best of ${runs.length} by total wall (all: ${runs.map((r) => (r.wallMs / 1000).toFixed(2)).join(', ')} s)`);
  const rows: string[][] = stages.map((s) => [s.name, (s.ms / 1000).toFixed(2), (s.cpuMs / 1000).toFixed(2), (s.inVoxels / 1e6 / (s.ms / 1000)).toFixed(0), s.maxRssMiB.toFixed(0), s.out]);
  rows.push(['transforms total', (stages.reduce((a, s) => a + s.ms, 0) / 1000).toFixed(2), (stages.reduce((a, s) => a + s.cpuMs, 0) / 1000).toFixed(2), '-', '-', '']);
  rows.push(['start-up + config (before LoadImaged)', (setupMs / 1000).toFixed(2), '-', '-', '-', '']);
  rows.push(['whole process (spawn to exit)', (best.wallMs / 1000).toFixed(2), (best.report.cpuMs / 1000).toFixed(2), '-', best.report.maxRssMiB.toFixed(0), 'targets < 5 s, < 1300 MiB']);
  const header = ['stage', 'wall s', 'CPU s', 'MVoxel/s in', 'peak RSS MiB', 'output'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, c) => (c === 0 || c === 5 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}

export async function run(): Promise<void> {
  if (!existsSync(path.join(dist, 'cli', 'registry.js'))) {
    console.log('preprocess: skipped (dist/ is missing; run `npm run build`)');
    return;
  }
  if (distIsStale()) console.log('note: src/ has changes newer than dist/; run `npm run build` for figures of the current code');
  const t0 = performance.now();
  const files: Array<[string, string]> = [
    ['RAS file (bench/image.ts)', await syntheticCtFile()],
    ['LPS file (same voxels; Orientationd flips x and y)', await lpsCtFile()],
  ];
  console.log(`input: 512x512x400 int16 .nii.gz, spacing 0.8x0.8x1.0 mm (ready in ${((performance.now() - t0) / 1000).toFixed(1)} s); load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-preprocess-'));
  try {
    mkdirSync(path.join(dir, 'configs'));
    for (const [title, image] of files) {
      const configFile = path.join(dir, 'configs', 'preprocess.json');
      writeFileSync(configFile, JSON.stringify(preprocessConfig(image), null, 2));
      printRuns(title, [runChild(configFile), runChild(configFile), runChild(configFile)]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
