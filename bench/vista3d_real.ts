/**
 * The full-size VISTA3D (vista3d132, 218 M parameters, seeded random weights) through MONAI's bundle code and
 * through ours, same machine, same run, same thread count, whole processes: `npm run bench -- vista3d_real`.
 *
 * Where torch + MONAI are importable by MONAI_PYTHON (default /work/shared/tools/monai-python, else python3) and
 * the model-zoo VISTA3D scripts and configs are found (VISTA3D_SCRIPTS, VISTA3D_CONFIGS; by default extracted
 * from the model-zoo git mirror into a temp dir, and /work/shared/reference/model-zoo-vista3d), it exports the
 * network per patch size with tools/vista3d/export_vista3d.py (about 800 MB each, in a temp dir removed at the
 * end unless BENCH_VISTA3D_REAL_DIR names a folder to keep), then per patch, thread count and case runs
 * tools/vista3d/monai_reference.py and `node dist/cli/main.js run` under /usr/bin/time -v and prints agreement
 * (tools/vista3d/parity.ts), wall time, peak RSS, and our encoder runs per window. Without torch it prints why
 * it skips. Cases are test/fixtures/vista3d-small/cases.json's (BENCH_VISTA3D_REAL_CASES, default one of each
 * prompt mode); BENCH_VISTA3D_REAL_PATCHES (default 64,128), BENCH_VISTA3D_REAL_THREADS (default 1,2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNifti } from '../src/image/index.js';
import { compareLabelMaps, describeParity, meetsParity } from '../tools/vista3d/parity.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const CASES_FILE = path.join(repo, 'test', 'fixtures', 'vista3d-small', 'cases.json');
const MIRROR = '/work/.mirror/Project-MONAI+model-zoo/repo';
const DEFAULT_CASES = 'label_one,label_several,everything,clicks,label_clicks';

interface Case {
  name: string;
  input_dict: Record<string, unknown>;
  overrides?: Record<string, unknown>;
}

interface Measured {
  seconds: number;
  /** user + system CPU seconds of the whole process: on a loaded machine a steadier figure than wall time */
  cpuSeconds: number | null;
  peakMb: number | null;
  output: string | null;
  log: string;
}

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

function python(): string {
  if (process.env.MONAI_PYTHON) return process.env.MONAI_PYTHON;
  return existsSync('/work/shared/tools/monai-python') ? '/work/shared/tools/monai-python' : 'python3';
}

/** The model-zoo scripts folder, or a reason why there is none. */
function bundleScripts(work: string): string | { skip: string } {
  if (process.env.VISTA3D_SCRIPTS) return process.env.VISTA3D_SCRIPTS;
  if (!existsSync(MIRROR)) return { skip: `set VISTA3D_SCRIPTS to model-zoo's models/vista3d/scripts (no mirror at ${MIRROR})` };
  const dir = path.join(work, 'scripts');
  mkdirSync(dir, { recursive: true });
  const names = spawnSync('git', ['-C', MIRROR, 'ls-tree', '--name-only', 'HEAD', 'models/vista3d/scripts/'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const name of names) {
    writeFileSync(path.join(dir, path.basename(name)), spawnSync('git', ['-C', MIRROR, 'show', `HEAD:${name}`], { encoding: 'utf8' }).stdout);
  }
  return names.length > 0 ? dir : { skip: `model-zoo mirror ${MIRROR} has no models/vista3d/scripts` };
}

/** Wall time and peak RSS of a whole process (GNU time -v). */
function timed(command: string, args: string[], env: Record<string, string> = {}): { seconds: number; cpuSeconds: number | null; peakMb: number | null; status: number | null; stdout: string; stderr: string } {
  const t0 = performance.now();
  const child = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 ** 2 });
  const seconds = (performance.now() - t0) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '');
  const user = /User time \(seconds\): ([\d.]+)/.exec(child.stderr ?? '');
  const sys = /System time \(seconds\): ([\d.]+)/.exec(child.stderr ?? '');
  const cpuSeconds = user && sys ? Number(user[1]) + Number(sys[1]) : null;
  return { seconds, cpuSeconds, peakMb: rss ? Number(rss[1]) / 1024 : null, status: child.status, stdout: child.stdout ?? '', stderr: child.stderr ?? '' };
}

function findTrans(folder: string): string | null {
  if (!existsSync(folder)) return null;
  for (const name of readdirSync(folder)) {
    const p = path.join(folder, name);
    if (statSync(p).isDirectory()) {
      const found = findTrans(p);
      if (found) return found;
    } else if (name.endsWith('_trans.nii.gz')) return p;
  }
  return null;
}

function runMonai(c: Case, ctx: { py: string; scripts: string; configs: string; weights: string; patch: number; threads: number; out: string }): Measured {
  const casesFile = path.join(ctx.out, 'case.json');
  mkdirSync(ctx.out, { recursive: true });
  writeFileSync(casesFile, JSON.stringify([{ ...c, input_dict: { ...c.input_dict, image: path.resolve(path.dirname(CASES_FILE), c.input_dict.image as string) } }]));
  const args = [path.join(repo, 'tools', 'vista3d', 'monai_reference.py'), '--configs', ctx.configs, '--scripts', ctx.scripts, '--weights', ctx.weights,
    '--arch', 'vista3d132', '--cases', casesFile, '--output', ctx.out, '--patch', String(ctx.patch), '--threads', String(ctx.threads)];
  // torch's own pool follows --threads; OMP_NUM_THREADS keeps the BLAS/OpenMP side at the same count
  const r = timed(ctx.py, args, { OMP_NUM_THREADS: String(ctx.threads) });
  if (r.status !== 0) throw new Error(`monai_reference.py failed on ${c.name}:\n${r.stderr.slice(-3000)}`);
  return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakMb: r.peakMb, output: findTrans(path.join(ctx.out, c.name)), log: r.stdout };
}

function runOurs(c: Case, ctx: { models: string; patch: number; threads: number; out: string }): Measured {
  const image = path.resolve(path.dirname(CASES_FILE), c.input_dict.image as string);
  const args = [CLI, 'run', '--bundle_root', path.join(repo, 'bundle'), '--output_dir', ctx.out, '--input_dict', JSON.stringify({ ...c.input_dict, image }),
    '--patch_size', JSON.stringify([ctx.patch, ctx.patch, ctx.patch])];
  for (const g of ['encoder', 'point_decoder', 'class_decoder', 'class_head', 'point_head']) {
    args.push(`--network_def#${g}#path`, path.join(ctx.models, `${g}.onnx`), `--network_def#${g}#intra_op_num_threads`, String(ctx.threads));
  }
  for (const [key, value] of Object.entries(c.overrides ?? {})) args.push(`--${key}`, JSON.stringify(value));
  const r = timed(process.execPath, args);
  if (r.status !== 0) throw new Error(`bundle run failed on ${c.name}:\n${r.stderr.slice(-3000)}`);
  return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakMb: r.peakMb, output: findTrans(ctx.out), log: r.stderr + r.stdout };
}

export async function run(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('bench/vista3d_real.ts runs the built CLI: npm run build first');
  const py = python();
  const probe = spawnSync(py, ['-c', 'import torch, monai, nibabel; print(torch.__version__, monai.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(`vista3d_real: skipped: ${py} cannot import torch, monai and nibabel (set MONAI_PYTHON to a Python that can).`);
    return;
  }
  const configs = process.env.VISTA3D_CONFIGS ?? '/work/shared/reference/model-zoo-vista3d';
  if (!existsSync(path.join(configs, 'inference.json'))) {
    console.log(`vista3d_real: skipped: no original inference.json in ${configs} (set VISTA3D_CONFIGS to model-zoo's models/vista3d/configs).`);
    return;
  }
  const keep = process.env.BENCH_VISTA3D_REAL_DIR;
  const work = keep ?? mkdtempSync(path.join(tmpdir(), 'vista3d-real-'));
  mkdirSync(work, { recursive: true });
  try {
    const scripts = bundleScripts(work);
    if (typeof scripts !== 'string') {
      console.log(`vista3d_real: skipped: ${scripts.skip}.`);
      return;
    }
    const wanted = list(process.env.BENCH_VISTA3D_REAL_CASES, DEFAULT_CASES);
    const cases = (JSON.parse(readFileSync(CASES_FILE, 'utf8')) as Case[]).filter((c) => wanted.includes(c.name));
    console.log(`torch/MONAI: ${probe.stdout.trim()}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('patch threads case                   MONAI s (cpu)    ours s (cpu)   ratio (cpu)  MONAI MB  ours MB  encoder runs/window  agreement');
    for (const patch of list(process.env.BENCH_VISTA3D_REAL_PATCHES, '64,128').map(Number)) {
      const models = path.join(work, `vista3d132-p${patch}`);
      const weights = path.join(work, 'vista3d132.pt');
      if (!existsSync(path.join(models, 'point_head.onnx'))) {
        const exp = spawnSync(py, [path.join(repo, 'tools', 'vista3d', 'export_vista3d.py'), '--random', 'vista3d132', '--seed', '0', '--patch', String(patch),
          '--output', models, '--save-weights', weights], { encoding: 'utf8' });
        if (exp.status !== 0) throw new Error(`export at patch ${patch} failed:\n${exp.stderr.slice(-3000)}`);
      }
      for (const threads of list(process.env.BENCH_VISTA3D_REAL_THREADS, '1,2').map(Number)) {
        for (const c of cases) {
          const out = path.join(work, 'runs', `p${patch}-t${threads}-${c.name}`);
          rmSync(out, { recursive: true, force: true });
          const monai = runMonai(c, { py, scripts, configs, weights, patch, threads, out: path.join(out, 'monai') });
          const ours = runOurs(c, { models, patch, threads, out: path.join(out, 'ours') });
          let agreement = 'no output';
          if (monai.output && ours.output) {
            const [a, b, m] = await Promise.all([readNifti(ours.output), readNifti(monai.output), readNifti(path.join(out, 'monai', c.name, 'margin.nii.gz'))]);
            const report = compareLabelMaps(a.data, b.data, m.data);
            agreement = `${meetsParity(report) ? 'PASS' : 'FAIL'} ${describeParity(report)}`;
          }
          const enc = /VISTA3D: (\d+) windows, (\d+) encoder runs \(([\d.]+) per window\)/.exec(ours.log);
          const encText = enc ? `${enc[3]} (${enc[2]}/${enc[1]})` : (/VISTA3D: point windows, (\d+) encoder runs/.exec(ours.log)?.[1] ?? '?') + ' (point windows)';
          const mb = (v: number | null) => (v === null ? 'n/a' : v.toFixed(0));
          const cpu = (m: Measured) => `${m.seconds.toFixed(0)} (${m.cpuSeconds === null ? '?' : m.cpuSeconds.toFixed(0)})`;
          const cpuRatio = monai.cpuSeconds !== null && ours.cpuSeconds ? (monai.cpuSeconds / ours.cpuSeconds).toFixed(2) : '?';
          console.log(
            `${String(patch).padStart(5)} ${String(threads).padStart(7)} ${c.name.padEnd(22)} ${cpu(monai).padStart(14)} ${cpu(ours).padStart(15)} ` +
              `${`${(monai.seconds / ours.seconds).toFixed(2)} (${cpuRatio})`.padStart(12)} ${mb(monai.peakMb).padStart(9)} ${mb(ours.peakMb).padStart(8)}  ${encText.padEnd(19)}  ${agreement}`,
          );
          if (!keep) rmSync(out, { recursive: true, force: true });
        }
      }
    }
    console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores shared with other work: figures are honest but noisy)`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}
