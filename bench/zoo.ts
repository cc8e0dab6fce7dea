/**
 * Converted model-zoo bundles vs MONAI, whole process, at the bundles' own network sizes: for every case of
 * test/fixtures/zoo-parity/cases.json, `bundle run` of the converted bundle against MONAI's own pipeline
 * (tools/monai/reference.py: ConfigParser, the bundle's transforms, inferer and SaveImaged, the engine loop
 * restated) on the case's image, same thread count (onnxruntime intra-op threads here, torch threads there).
 * Wall time, CPU time (user + system) and peak RSS (GNU time) of each, and the ratios: on a shared machine the
 * wall time follows the load, the CPU time much less. Target: faster than MONAI on every bundle, at most
 * half its peak memory.
 * The full-size networks (seeded random weights; the same state dict for both) are made by
 * tools/monai/make_zoo_fixtures.py --full into $ZOO_BENCH_DIR (default <tmp>/bundle-zoo-bench) on first use,
 * which also gives MONAI's reference command line; without MONAI a bundle is skipped with a message.
 * ZOO_BENCH=bundle,bundle narrows the cases. Needs a build (`npm run build`) and ../shared (BUNDLE_SHARED_DIR).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { caseDatalist, type CaseImage, imageDir, inRepoImage, type ZooCase, zooCases } from '../test/helpers/zooCases.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const SHARED = process.env.BUNDLE_SHARED_DIR ?? path.resolve(repo, '..', 'shared');
const PYTHON = path.join(SHARED, 'tools', 'monai-python');
const GENERATOR = path.join(repo, 'tools', 'monai', 'make_zoo_fixtures.py');
const CACHE = process.env.ZOO_BENCH_DIR ?? path.join(os.tmpdir(), 'bundle-zoo-bench');
const THREADS = Number(process.env.ZOO_BENCH_THREADS ?? 2);

function imageOf(c: ZooCase): CaseImage {
  return inRepoImage(c) ?? path.join(SHARED, c.image!);
}

function python(args: string[]): { ok: true; stdout: string } | { ok: false; why: string } {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env: { ...process.env, BUNDLE_SHARED_DIR: SHARED } });
  return r.status === 0 ? { ok: true, stdout: r.stdout } : { ok: false, why: (r.stderr || r.stdout).trim().split('\n').pop() ?? '' };
}

/** The case's converted bundle with its full-size network, and MONAI's command line; undefined (said why) when it cannot be made. */
function prepare(c: ZooCase): { converted: string; reference: string[] } | undefined {
  const dir = path.join(CACHE, c.bundle);
  const base = [GENERATOR, '--only', c.bundle, '--full', '--out', CACHE];
  if (!existsSync(path.join(dir, 'model.onnx')) || !existsSync(path.join(dir, 'weights.pt'))) {
    const made = python(base);
    if (!made.ok) {
      console.log(`${c.bundle}: skipped, make_zoo_fixtures.py --full failed: ${made.why}`);
      return undefined;
    }
  }
  const converted = path.join(dir, 'converted');
  if (!existsSync(path.join(converted, 'models', 'model.onnx'))) {
    rmSync(converted, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [CLI, 'convert', path.join(repo, 'test', 'fixtures', 'zoo', c.bundle), converted, ...(c.untranslated ? ['--allow-partial'] : [])], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`${c.bundle}: skipped, bundle convert failed: ${r.stderr.trim().split('\n')[0]}`);
      return undefined;
    }
    copyFileSync(path.join(dir, 'model.onnx'), path.join(converted, 'models', 'model.onnx'));
  }
  const printed = python([...base, '--print_reference']);
  if (!printed.ok) {
    console.log(`${c.bundle}: skipped, ${printed.why}`);
    return undefined;
  }
  // the printed command starts with the bare interpreter; MONAI is on the path through the monai-python wrapper
  const [, ...reference] = JSON.parse(printed.stdout) as string[];
  return { converted, reference };
}

interface Measure {
  wallS: number;
  /** user + system CPU seconds, all threads */
  cpuS: number;
  peakMb: number;
}

async function measure(cmd: string, args: string[]): Promise<Measure> {
  const rssFile = path.join(os.tmpdir(), `zoo-bench-rss-${process.pid}.txt`);
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  const wallS = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${path.basename(cmd)} failed (exit ${code}): ${stderr.slice(-2000)}`);
  const [peakKb, user, system] = readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(rssFile, { force: true });
  return { wallS, cpuS: user! + system!, peakMb: peakKb! / 1024 };
}

export async function run(): Promise<void> {
  for (const [what, file] of [['dist/cli/main.js (npm run build)', CLI], ['../shared/tools/monai-python', PYTHON], ['GNU time', '/usr/bin/time']]) {
    if (!existsSync(file!)) {
      console.log(`skipped: ${what} is missing`);
      return;
    }
  }
  console.log(`${THREADS} threads each, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at start`);
  console.log('bundle                              | bundle run s | CPU s  | MB    | MONAI s | CPU s  | MB    | time ratio | CPU ratio | memory ratio');
  for (const c of zooCases(process.env.ZOO_BENCH?.split(','))) {
    const ready = prepare(c);
    if (!ready) continue;
    const image = imageOf(c);
    const out = path.join(CACHE, c.bundle, 'out');
    rmSync(out, { recursive: true, force: true });
    const ours = await measure(process.execPath, [CLI, 'run', '--config_file', path.join(ready.converted, 'configs', c.config),
      `--${c.datalist_id ?? 'datalist'}`, JSON.stringify(caseDatalist(c, image)), ...(c.image_dir_ids ?? []).flatMap((id) => [`--${id}`, imageDir(image)]),
      '--output_dir', path.join(out, 'ours'), '--network_def::intra_op_num_threads', String(THREADS), '--quiet']);
    const monai = await measure(PYTHON, [...ready.reference, '--threads', String(THREADS), '--no_raw']);
    console.log([
      c.bundle.padEnd(35),
      ours.wallS.toFixed(1).padStart(12), ours.cpuS.toFixed(1).padStart(6), ours.peakMb.toFixed(0).padStart(5),
      monai.wallS.toFixed(1).padStart(7), monai.cpuS.toFixed(1).padStart(6), monai.peakMb.toFixed(0).padStart(5),
      (ours.wallS / monai.wallS).toFixed(2).padStart(10), (ours.cpuS / monai.cpuS).toFixed(2).padStart(9), (ours.peakMb / monai.peakMb).toFixed(2).padStart(12),
    ].join(' | '));
  }
  console.log(`load average ${os.loadavg()[0]!.toFixed(1)} at the end`);
}
