/**
 * Converted model-zoo bundles vs MONAI, whole process: `bundle run` of the converted bundle against MONAI's
 * own pipeline (tools/monai/reference.py: ConfigParser, the bundle's transforms, inferer and SaveImaged,
 * the engine loop restated) on the shared CT (prostate_mri_anatomy: a block of the shared T1), same thread count (onnxruntime intra-op threads here, torch
 * threads there). Wall time and peak RSS (GNU time) of each, and the ratios. Target: faster than MONAI on
 * every bundle, at most half its peak memory.
 * The networks are made with MONAI (seeded random weights; the same state dict for both) into
 * $ZOO_BENCH_DIR (default <tmp>/bundle-zoo-bench) on first use; without MONAI a bundle is skipped with a message.
 * Needs a build (`npm run build`) and ../shared (BUNDLE_SHARED_DIR). ZOO_BENCH=name,name runs only those bundles.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { t1Block } from '../test/helpers/zooInputs.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const SHARED = process.env.BUNDLE_SHARED_DIR ?? path.resolve(repo, '..', 'shared');
const PYTHON = path.join(SHARED, 'tools', 'monai-python');
const CT = path.join(SHARED, 'data', 'ct', 'totalseg_example_ct_sm.nii.gz');
const CACHE = process.env.ZOO_BENCH_DIR ?? path.join(os.tmpdir(), 'bundle-zoo-bench');
const THREADS = Number(process.env.ZOO_BENCH_THREADS ?? 2);

const T1 = path.join(SHARED, 'data', 'brain', 'brainchop_t1_crop_conformed.nii.gz');

interface Bench {
  name: string;
  config: string;
  /** the datalist, given the bundle's cache folder (where derived inputs are written) */
  datalist: (dir: string) => Promise<unknown>;
  /** convert with --allow-partial: the untranslated ids are overridden here (e.g. a pandas datalist) */
  partial?: boolean;
}

const BUNDLES: Bench[] = [
  { name: 'spleen_ct_segmentation', config: 'inference.json', datalist: async () => [CT] },
  { name: 'wholeBody_ct_segmentation', config: 'inference.json', datalist: async () => [CT] },
  // a 64 x 64 x 48 mm block of the shared T1 (the bundle's 0.5 mm grid of the whole head would be 512^3)
  { name: 'prostate_mri_anatomy', config: 'inference.json', datalist: async (dir) => [await t1Block(T1, dir)], partial: true },
  // pediatric_abdominal_ct_segmentation is not at parity yet (see test/heavy/zooParity.heavy.ts)
];

interface Measure {
  wallS: number;
  peakMb: number;
}

function prepare(name: string, config: string, partial = false): string | undefined {
  const dir = path.join(CACHE, name);
  const model = path.join(dir, 'converted', 'models', 'model.onnx');
  if (existsSync(model) && existsSync(path.join(dir, 'weights.pt'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const src = path.join(repo, 'test', 'fixtures', 'zoo', name);
  const steps: string[][] = [
    [process.execPath, CLI, 'convert', src, path.join(dir, 'converted'), ...(partial ? ['--allow-partial'] : [])],
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
  console.log(`shared CT 122x101x30 (prostate: T1 block 64x64x48), ${THREADS} threads each, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at start`);
  console.log('bundle                              | bundle run s | MB    | MONAI s | MB    | time ratio | memory ratio');
  const only = process.env.ZOO_BENCH?.split(',');
  for (const b of BUNDLES.filter((b) => !only || only.includes(b.name))) {
    const dir = prepare(b.name, b.config, b.partial);
    if (!dir) continue;
    const datalist = await b.datalist(dir);
    const out = path.join(dir, 'out');
    const ours = await measure(process.execPath, [CLI, 'run', '--config_file', path.join(dir, 'converted', 'configs', b.config),
      '--datalist', JSON.stringify(datalist), '--output_dir', path.join(out, 'ours'), '--network_def::intra_op_num_threads', String(THREADS), '--quiet']);
    const monai = await measure(PYTHON, [path.join(repo, 'tools', 'monai', 'reference.py'), path.join(repo, 'test', 'fixtures', 'zoo', b.name),
      '--config', b.config, '--weights', path.join(dir, 'weights.pt'), '--set', `datalist=${JSON.stringify(datalist)}`,
      '--out', path.join(out, 'monai'), '--threads', String(THREADS), '--no_raw']);
    console.log([
      b.name.padEnd(35),
      ours.wallS.toFixed(1).padStart(12), ours.peakMb.toFixed(0).padStart(5),
      monai.wallS.toFixed(1).padStart(7), monai.peakMb.toFixed(0).padStart(5),
      (ours.wallS / monai.wallS).toFixed(2).padStart(10), (ours.peakMb / monai.peakMb).toFixed(2).padStart(12),
    ].join(' | '));
  }
}
