/**
 * Converted model-zoo bundles vs MONAI, whole process: `bundle run` of the converted bundle against MONAI's
 * own pipeline (tools/monai/reference.py: ConfigParser, the bundle's transforms, inferer and SaveImaged,
 * the engine loop restated) on the shared CT, same thread count (onnxruntime intra-op threads here, torch
 * threads there). Wall time and peak RSS (GNU time) of each, and the ratios. Target: faster than MONAI on
 * every bundle, at most half its peak memory.
 * The networks are made with MONAI (seeded random weights; the same state dict for both) into
 * $ZOO_BENCH_DIR (default <tmp>/bundle-zoo-bench) on first use; without MONAI a bundle is skipped with a message.
 * Needs a build (`npm run build`) and ../shared (BUNDLE_SHARED_DIR).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const SHARED = process.env.BUNDLE_SHARED_DIR ?? path.resolve(repo, '..', 'shared');
const PYTHON = path.join(SHARED, 'tools', 'monai-python');
const CT = path.join(SHARED, 'data', 'ct', 'totalseg_example_ct_sm.nii.gz');
const CACHE = process.env.ZOO_BENCH_DIR ?? path.join(os.tmpdir(), 'bundle-zoo-bench');
const THREADS = Number(process.env.ZOO_BENCH_THREADS ?? 2);

const BUNDLES: Array<{ name: string; config: string; datalist: unknown }> = [
  { name: 'spleen_ct_segmentation', config: 'inference.json', datalist: [CT] },
  // wholeBody_ct_segmentation and pediatric_abdominal_ct_segmentation are not at parity yet (see test/heavy/zooParity.heavy.ts)
];

interface Measure {
  wallS: number;
  peakMb: number;
}

function prepare(name: string, config: string): string | undefined {
  const dir = path.join(CACHE, name);
  const model = path.join(dir, 'converted', 'models', 'model.onnx');
  if (existsSync(model) && existsSync(path.join(dir, 'weights.pt'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const src = path.join(repo, 'test', 'fixtures', 'zoo', name);
  const steps: string[][] = [
    [process.execPath, CLI, 'convert', src, path.join(dir, 'converted')],
    [PYTHON, path.join(repo, 'tools', 'monai', 'export_network.py'), src, '--config', config, '--seed', '0', '--balance',
      '--save_weights', path.join(dir, 'weights.pt'), '--out', model],
  ];
  for (const [cmd, ...args] of steps) {
    const r = spawnSync(cmd!, args, { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`${name}: skipped, ${path.basename(args[0]!)} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
      return undefined;
    }
  }
  return dir;
}

async function measure(cmd: string, args: string[]): Promise<Measure> {
  const rssFile = path.join(os.tmpdir(), `zoo-bench-rss-${process.pid}.txt`);
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  const wallS = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${path.basename(cmd)} failed (exit ${code}): ${stderr.slice(-2000)}`);
  const peakKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  rmSync(rssFile, { force: true });
  return { wallS, peakMb: peakKb / 1024 };
}

export async function run(): Promise<void> {
  for (const [what, file] of [['dist/cli/main.js (npm run build)', CLI], ['../shared/tools/monai-python', PYTHON], ['the shared CT', CT], ['GNU time', '/usr/bin/time']]) {
    if (!existsSync(file!)) {
      console.log(`skipped: ${what} is missing`);
      return;
    }
  }
  console.log(`shared CT 122x101x30, ${THREADS} threads each, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at start`);
  console.log('bundle                              | bundle run s | MB    | MONAI s | MB    | time ratio | memory ratio');
  for (const b of BUNDLES) {
    const dir = prepare(b.name, b.config);
    if (!dir) continue;
    const out = path.join(dir, 'out');
    const ours = await measure(process.execPath, [CLI, 'run', '--config_file', path.join(dir, 'converted', 'configs', b.config),
      '--datalist', JSON.stringify(b.datalist), '--output_dir', path.join(out, 'ours'), '--network_def::intra_op_num_threads', String(THREADS), '--quiet']);
    const monai = await measure(PYTHON, [path.join(repo, 'tools', 'monai', 'reference.py'), path.join(repo, 'test', 'fixtures', 'zoo', b.name),
      '--config', b.config, '--weights', path.join(dir, 'weights.pt'), '--set', `datalist=${JSON.stringify(b.datalist)}`,
      '--out', path.join(out, 'monai'), '--threads', String(THREADS), '--no_raw']);
    console.log([
      b.name.padEnd(35),
      ours.wallS.toFixed(1).padStart(12), ours.peakMb.toFixed(0).padStart(5),
      monai.wallS.toFixed(1).padStart(7), monai.peakMb.toFixed(0).padStart(5),
      (ours.wallS / monai.wallS).toFixed(2).padStart(10), (ours.peakMb / monai.peakMb).toFixed(2).padStart(12),
    ].join(' | '));
  }
}
