/**
 * VISTA3D everything mode (117 classes) through the CLI, as a user runs it: the sample CT (122x101x30, 3 mm) and
 * a generated 512x512x300 CT-like volume (0.8x0.8x1.0 mm, bench/image.ts's generator), with the bundle's
 * default patch size 128 and 1.5 mm resampling. Reports wall time and the peak RSS of the CLI process
 * (/usr/bin/time -v when present, else the child's resource usage is unknown). The demo network is cheap,
 * so the figures are dominated by the pipeline: resampling, window stitching, the 117-way arg-max, inversion.
 * The large volume takes minutes on 2 cores, beyond the 2-minute budget of a bench, so it runs only with
 * BENCH_VISTA3D_LARGE=1. Figures: docs/PERFORMANCE.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticCtFile } from './image.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const SAMPLE = path.join(repo, 'bundle', 'sample', 'totalseg_example_ct_sm.nii.gz');

interface Measure {
  case: string;
  seconds: number;
  peakRssMb: number | null;
  labels: string;
}

function everything(name: string, image: string): Measure {
  const out = mkdtempSync(path.join(tmpdir(), 'vista3d-bench-'));
  const args = [CLI, 'run', '--log-level', 'warn', '--output_dir', out, '--input_dict', JSON.stringify({ image })];
  const timed = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const child = timed ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`bundle run failed on ${name}:\n${child.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '');
  const labels = /: (\d+) labels?/.exec(child.stdout ?? '')?.[1] ?? '?';
  return { case: name, seconds, peakRssMb: rss ? Number(rss[1]) / 1024 : null, labels };
}

export async function run(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('bench/vista3d.ts runs the built CLI: npm run build first');
  const rows: Measure[] = [everything('sample CT 122x101x30 (3 mm)', SAMPLE)];
  if (process.env.BENCH_VISTA3D_LARGE === '1') {
    const file = await syntheticCtFile({ shape: [512, 512, 300], spacing: [0.8, 0.8, 1.0] });
    rows.push(everything('synthetic CT 512x512x300 (0.8x0.8x1 mm)', file));
  }
  console.log('VISTA3D everything mode (117 classes), patch 128, 1.5 mm, demo network, CPU');
  console.log('case                                        time (s)   peak RSS (MB)   labels written');
  for (const r of rows) {
    console.log(`${r.case.padEnd(44)}${r.seconds.toFixed(1).padStart(8)}   ${(r.peakRssMb === null ? 'n/a' : r.peakRssMb.toFixed(0)).padStart(13)}   ${r.labels.padStart(14)}`);
  }
}
