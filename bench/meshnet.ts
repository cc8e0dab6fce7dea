/**
 * The MeshNet brain bundle (examples/brain-meshnet) on its 256^3 sample T1, as users run it: `bundle run`
 * spawned as a whole process (start-up, loading, preprocessing, onnxruntime, argmax, saving). For each
 * network and intra-op thread setting: wall time, the evaluator's inference stage (onnxruntime session
 * creation and run, from the run summary), the rest, and the child's peak RSS (GNU time, or VmHWM polled
 * from /proc when GNU time is absent). Target for the default variant on a 2-core machine: < 11 s, < 1.5 GB.
 * Needs a build (`npm run build`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(repo, 'examples', 'brain-meshnet');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const GNU_TIME = '/usr/bin/time';

const CASES = [
  { variant: 'model5_gw_ae (default)', config: 'configs/inference.json' },
  { variant: 'model18cls (subcortical)', config: 'configs/inference.json,configs/subcortical.json' },
];
/** 0 is the bundle's default: onnxruntime chooses (one per physical core) */
const THREADS = [0, 1, 2];

interface Measure {
  wallMs: number;
  inferenceMs: number;
  peakRssMb: number;
}

async function runOnce(config: string, threads: number, outputDir: string): Promise<Measure> {
  const args = [CLI, 'run', '--config_file', config, '--output_dir', outputDir, '--intra_op_num_threads', String(threads), '--quiet'];
  const gnuTime = existsSync(GNU_TIME);
  mkdirSync(outputDir, { recursive: true });
  const rssFile = path.join(outputDir, 'maxrss.txt');
  const [cmd, argv] = gnuTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]] : [process.execPath, args];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd: BUNDLE, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let polledKb = 0;
  const poll = gnuTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {
          // the process has exited
        }
      }, 50);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  const wallMs = performance.now() - t0;
  if (poll) clearInterval(poll);
  if (code !== 0) throw new Error(`bundle run failed (exit ${code}): ${stderr}`);
  const summary = JSON.parse(readFileSync(path.join(outputDir, 'run_summary.json'), 'utf8')) as { timings_ms: { inference: number } };
  const peakKb = gnuTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : polledKb;
  return { wallMs, inferenceMs: summary.timings_ms.inference, peakRssMb: peakKb / 1024 };
}

export async function run(): Promise<void> {
  if (!existsSync(CLI)) {
    console.log('skipped: dist/cli/main.js is missing (run `npm run build` first)');
    return;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-meshnet-'));
  try {
    console.log(`bundle run on the 256^3 sample T1, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at start`);
    console.log('network                  | intra-op threads | wall s | inference s | rest s | peak RSS MB');
    for (const c of CASES) {
      for (const threads of THREADS) {
        const m = await runOnce(c.config, threads, path.join(tmp, `${threads}`));
        const row = [
          c.variant.padEnd(24),
          String(threads).padStart(16),
          (m.wallMs / 1000).toFixed(1).padStart(6),
          (m.inferenceMs / 1000).toFixed(1).padStart(11),
          ((m.wallMs - m.inferenceMs) / 1000).toFixed(1).padStart(6),
          m.peakRssMb.toFixed(0).padStart(11),
        ];
        console.log(row.join(' | '));
      }
    }
    console.log('target for the default variant: wall < 11 s, peak RSS < 1500 MB');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
