/**
 * NIfTI loading on the CT-like volume: 512x512x400 int16, spacing 0.8x0.8x1.0 mm, gzip-compressed
 * (a body ellipse of soft tissue around 40 HU with a denser organ and a bone disc, air at -1000 outside, a
 * little noise). Reports wall time, MVoxel/s and the peak RSS of a fresh process doing only the read,
 * next to the time zlib alone needs to inflate the file (the floor for any reader), and the time to write
 * a float32 label map of that size as SaveImaged does.
 *
 * `syntheticCtFile()` is exported so that the transform benches can run the whole preprocessing chain on
 * the same file. The file is cached in the OS temp folder (about 100 MB), keyed by its parameters.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip } from 'node:zlib';
import type { Mat4, Volume } from '../src/image/Volume.js';
import { readNifti } from '../src/image/nifti/read.js';
import { writeNifti } from '../src/image/nifti/write.js';

export interface SyntheticCtOptions {
  shape?: [number, number, number];
  spacing?: [number, number, number];
  /** .nii.gz (default) or .nii */
  ext?: '.nii.gz' | '.nii';
  folder?: string;
}

/** A deterministic CT-like int16 volume in HU, [1, X, Y, Z]. */
export function syntheticCtVolume(shape: [number, number, number] = [512, 512, 400], spacing: [number, number, number] = [0.8, 0.8, 1.0]): Volume {
  const [X, Y, Z] = shape;
  const data = new Int16Array(X * Y * Z);
  let seed = 12345;
  const cx = (X - 1) / 2, cy = (Y - 1) / 2, cz = (Z - 1) / 2;
  let i = 0;
  for (let x = 0; x < X; x++) {
    const ex = (x - cx) / (0.42 * X);
    const ox = (x - cx * 0.7) / (0.13 * X);
    const bx = (x - cx * 1.15) / (0.05 * X);
    for (let y = 0; y < Y; y++) {
      const ey = (y - cy) / (0.32 * Y);
      const inBody = ex * ex + ey * ey < 1;
      const oy = (y - cy) / (0.11 * Y);
      const by = (y - cy * 1.35) / (0.05 * Y);
      const inBone = bx * bx + by * by < 1;
      for (let z = 0; z < Z; z++, i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const noise = (seed >>> 24) / 12.8 - 10; // about +-10 HU
        let v = -1000;
        if (inBody) {
          v = 40;
          const oz = (z - cz) / (0.3 * Z);
          if (ox * ox + oy * oy + oz * oz < 1) v = 160;
          if (inBone) v = 900;
        }
        data[i] = Math.round(v + noise);
      }
    }
  }
  const affine: Mat4 = [
    [spacing[0], 0, 0, -((X - 1) / 2) * spacing[0]],
    [0, spacing[1], 0, -((Y - 1) / 2) * spacing[1]],
    [0, 0, spacing[2], -((Z - 1) / 2) * spacing[2]],
    [0, 0, 0, 1],
  ];
  return { data, dtype: 'int16', shape: [1, X, Y, Z], affine, meta: { originalAffine: affine, originalSpatialShape: [X, Y, Z] }, appliedOperations: [] };
}

/** Path of the synthetic CT file, written on first use (the same parameters always give the same file). */
export async function syntheticCtFile(options: SyntheticCtOptions = {}): Promise<string> {
  const shape = options.shape ?? [512, 512, 400];
  const spacing = options.spacing ?? [0.8, 0.8, 1.0];
  const folder = options.folder ?? path.join(tmpdir(), 'bundle-bench');
  const file = path.join(folder, `synthetic_ct_v1_${shape.join('x')}_${spacing.join('x')}${options.ext ?? '.nii.gz'}`);
  if (!existsSync(file)) {
    await mkdir(folder, { recursive: true });
    await writeNifti(file, syntheticCtVolume(shape, spacing), { dtype: 'int16', compressionLevel: 6 });
  }
  return file;
}

interface ReadFigures {
  seconds: number;
  /** user + system CPU of the read: less sensitive than wall time to other processes on a shared machine */
  cpuSeconds: number;
  maxRssMiB: number;
}

/** readNifti in a fresh process, so that its peak RSS is the reader's alone. */
function readInChild(file: string): ReadFigures {
  const reader = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'image', 'nifti', 'read.ts')).href;
  const code = `
    const { readNifti } = await import(${JSON.stringify(reader)});
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const v = await readNifti(${JSON.stringify(file)});
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    if (v.data.length === 0) throw new Error('empty');
    console.log(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`reader process failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as ReadFigures;
}

async function gunzipOnly(file: string): Promise<number> {
  const t0 = performance.now();
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 1 << 20 }), new Writable({ write: (_c, _e, cb) => cb() }));
  return (performance.now() - t0) / 1000;
}

/** What SaveImaged does at the end of a segmentation: a float32 label map written as .nii.gz (gzip level 1). */
async function writeLabelMap(source: string): Promise<{ seconds: number; cpuSeconds: number; mib: number }> {
  const ct = await readNifti(source);
  const labels = new Float32Array(ct.data.length);
  for (let i = 0; i < labels.length; i++) labels[i] = ct.data[i]! > 500 ? 2 : ct.data[i]! > 100 ? 1 : 0;
  const folder = await mkdtemp(path.join(tmpdir(), 'bench-write-'));
  try {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const file = await writeNifti(path.join(folder, 'labels.nii.gz'), { ...ct, data: labels, meta: { ...ct.meta, filename: undefined } });
    const cpu = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, mib: statSync(file).size / 2 ** 20 };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function writeRow(figures: { seconds: number; cpuSeconds: number; mib: number }, voxels: number): string[] {
  return [
    `writeNifti float32 labels .nii.gz (${figures.mib.toFixed(1)} MiB)`,
    figures.seconds.toFixed(2),
    figures.cpuSeconds.toFixed(2),
    (voxels / 1e6 / figures.seconds).toFixed(0),
    '-',
  ];
}

export async function run(): Promise<void> {
  const t0 = performance.now();
  const gz = await syntheticCtFile();
  const nii = await syntheticCtFile({ ext: '.nii' });
  console.log(`synthetic CT 512x512x400 int16 (${(statSync(gz).size / 2 ** 20).toFixed(0)} MiB gzipped; ready in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const voxels = 512 * 512 * 400;
  const rows: string[][] = [];
  const inflate = Math.min(await gunzipOnly(gz), await gunzipOnly(gz));
  rows.push(['zlib gunzip only (floor)', inflate.toFixed(2), '-', (voxels / 1e6 / inflate).toFixed(0), '-']);
  for (const [label, file] of [['readNifti .nii.gz -> float32', gz], ['readNifti .nii -> float32', nii]] as const) {
    const runs = [readInChild(file), readInChild(file)];
    const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    rows.push([
      label,
      best.seconds.toFixed(2),
      Math.min(...runs.map((r) => r.cpuSeconds)).toFixed(2),
      (voxels / 1e6 / best.seconds).toFixed(0),
      Math.max(...runs.map((r) => r.maxRssMiB)).toFixed(0),
    ]);
  }
  rows.push(writeRow(await writeLabelMap(gz), voxels));
  const header = ['case (best of 2)', 'wall s', 'CPU s', 'MVoxel/s (wall)', 'peak RSS MiB'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  console.log('(the float32 output alone is 400 MiB)');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
