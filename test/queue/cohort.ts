/**
 * What the queue tests share: the threshold test bundle with a cohort of small generated phantoms (each a
 * little brighter than the last, so every output differs), the CLI's `bundle run` code path for reference
 * outputs, worker processes, and waiting on the queue.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { writeNifti } from '../../src/image/nifti/write.js';
import { runBundle } from '../../src/engine/runBundle.js';
import { defaultRegistry } from '../../src/cli/registry.js';
import { queueStatus, type QueueStatus } from '../../src/queue/status.js';
import { makeThresholdBundle, PHANTOM_AFFINE, PHANTOM_SHAPE, phantomValues } from '../engine/bundleFixture.js';
import { CLI } from '../cli/bundleCli.js';

export async function writePhantom(file: string, index: number): Promise<string> {
  const data = phantomValues().map((v) => v + 2 * index); // stays odd: no voxel sits on the threshold
  await writeNifti(file, {
    data,
    dtype: 'int16',
    shape: [1, ...PHANTOM_SHAPE],
    affine: PHANTOM_AFFINE.map((r) => r.slice()),
    meta: { originalAffine: PHANTOM_AFFINE, originalSpatialShape: PHANTOM_SHAPE },
    appliedOperations: [],
  });
  return file;
}

export interface Cohort {
  root: string;
  config: string;
  inputs: string[];
}

/** The threshold bundle with `count` phantoms in `<root>/cohort/scan_NN.nii.gz`. */
export async function makeCohort(count: number): Promise<Cohort> {
  const root = await makeThresholdBundle();
  const inputs: string[] = [];
  for (let i = 0; i < count; i++) inputs.push(await writePhantom(path.join(root, 'cohort', `scan_${String(i).padStart(2, '0')}.nii.gz`), i));
  return { root, config: path.join(root, 'configs', 'inference.json'), inputs };
}

/** What `bundle run --config_file <config> --input_dict "{'image': <input>}" --output_dir <out>` writes (its own code path). */
export async function referenceRun(config: string, input: string, outputDir: string): Promise<string[]> {
  const result = await runBundle({
    configFiles: [config],
    overrides: [
      { id: 'input_dict::image', value: input },
      { id: 'output_dir', value: outputDir },
    ],
    registry: defaultRegistry(),
  });
  return result.outputs;
}

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export function sameBytes(a: string, b: string): boolean {
  return statSync(a).size === statSync(b).size && readFileSync(a).equals(readFileSync(b));
}

export interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  /** resolves once the worker says it is ready (its SIGTERM handling is installed), or when it exits */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** Short lock and stall intervals (the chaos test) so that a killed worker's job moves on within about 3 s; workers otherwise get the defaults. */
export const FAST_STALL = ['--lock_duration', '2000', '--stalled_interval', '1000', '--max_stalled', '10'];

export function startWorkerProcess(config: string, redisUrl: string, queue: string, stall: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--config_file', config, '--redis', redisUrl, '--queue', queue, ...stall], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let onReady = () => undefined as void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const append = (d: Buffer) => {
    log += d;
    if (/ worker .* on queue /.test(log)) onReady();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  child.once('exit', () => onReady());
  // 'close', not 'exit': the last log lines may still be in the pipe when the process exits
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, log: () => log, ready, exited };
}

/** Stops workers with SIGTERM and returns their exit codes. */
export async function stopWorkers(workers: WorkerProcess[]): Promise<Array<number | null>> {
  await Promise.all(workers.map((w) => w.ready)); // a process still starting up has no SIGTERM handler yet
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  return Promise.all(workers.map((w) => w.exited));
}

export function openQueue(redisUrl: string, name: string): Queue {
  const queue = new Queue(name, { connection: { url: redisUrl, maxRetriesPerRequest: null } });
  queue.on('error', () => undefined); // reconnects by itself while a test restarts Redis
  return queue;
}

/** Polls until `done(status)` holds; throws with the last status after `timeoutMs`. */
export async function waitForQueue(queue: Queue, redisUrl: string, done: (s: QueueStatus) => boolean, timeoutMs: number): Promise<QueueStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await queueStatus(queue, { url: redisUrl });
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`queue not done after ${timeoutMs} ms: ${JSON.stringify({ ...status, failed_jobs: status.failed_jobs.slice(0, 3) })}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The job ids each "done" line of the worker logs names, counted. */
export function doneCounts(logs: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of logs.join('\n').matchAll(/ done (j[0-9a-f]{32}) /g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}
