/**
 * `npm run bench -- queue`: the Redis queue with a real redis-server started here (loopback, temp folder).
 * - throughput (scans/min) of the brain MeshNet bundle (examples/brain-meshnet) on small volumes (64^3 crops
 *   of the sample T1) with 1 and 2 `bundle worker` processes, from workers ready to the last job done;
 * - queue overhead per job: our submit (stat + dedup check + addBulk) and BullMQ pick + ack with a no-op
 *   processor (same worker options as `bundle worker`), over 10,000 jobs; and a real worker's per-job cost
 *   on a job it skips (config load + idempotence check + pick + ack, no inference);
 * - Redis memory (INFO used_memory) per 10,000 queued jobs, waiting and completed.
 * Needs a build (`npm run build`) and redis-server.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { readNifti, writeNifti } from '../src/image/index.js';
import { connectionOptions } from '../src/queue/connection.js';
import { submitJobs } from '../src/queue/submit.js';
import { bundleHash } from '../src/queue/worker.js';
import { hasRedisServer, startRedis, type TestRedis } from '../test/helpers/redis.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const CONFIG = path.join(repo, 'examples', 'brain-meshnet', 'configs', 'inference.json');
const SAMPLE = path.join(repo, 'examples', 'brain-meshnet', 'sample', 't1_crop.nii.gz');
const SCANS = 12;
const SIDE = 64;
const OVERHEAD_JOBS = 10_000;

/** `count` different 64^3 crops of the sample, each from another position near the centre. */
async function makeScans(dir: string, count: number): Promise<string[]> {
  const t1 = await readNifti(SAMPLE);
  const [, , Y, Z] = t1.shape as [number, number, number, number];
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const o = [96 + 4 * (i % 4), 80 + 4 * Math.floor(i / 4), 96 + 2 * i];
    const data = new Uint8Array(SIDE ** 3);
    for (let x = 0; x < SIDE; x++) for (let y = 0; y < SIDE; y++) for (let z = 0; z < SIDE; z++) {
      data[(x * SIDE + y) * SIDE + z] = Number(t1.data[((x + o[0]!) * Y + (y + o[1]!)) * Z + (z + o[2]!)]);
    }
    const a = t1.affine.map((r) => r.slice());
    for (let r = 0; r < 3; r++) a[r]![3] = t1.affine[r]![3]! + t1.affine[r]![0]! * o[0]! + t1.affine[r]![1]! * o[1]! + t1.affine[r]![2]! * o[2]!;
    const file = path.join(dir, `scan_${String(i).padStart(2, '0')}.nii.gz`);
    await writeNifti(file, { data, dtype: 'uint8', shape: [1, SIDE, SIDE, SIDE], affine: a, meta: { originalAffine: a, originalSpatialShape: [SIDE, SIDE, SIDE] }, appliedOperations: [] });
    files.push(file);
  }
  return files;
}

function cli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bundle ${args[0]} failed: ${err}`))));
  });
}

/** Starts `n` workers, waits until each says it is ready, and returns the time then and a stop function. */
async function startWorkers(n: number, redis: TestRedis, queue: string): Promise<{ readyAt: number; stop: () => Promise<void> }> {
  const children = Array.from({ length: n }, () => spawn(process.execPath, [CLI, 'worker', '--config_file', CONFIG, '--redis', redis.url, '--queue', queue], { stdio: ['ignore', 'ignore', 'pipe'] }));
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    let log = '';
    c.stderr.on('data', (d) => {
      log += d;
      if (/ worker .* on queue/.test(log)) resolve();
    });
  })));
  const readyAt = performance.now();
  const stop = async () => {
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    })));
  };
  return { readyAt, stop };
}

async function waitCompleted(queue: Queue, n: number): Promise<number> {
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if (counts.failed) throw new Error(`${counts.failed} job(s) failed: ${(await queue.getFailed(0, 0))[0]?.failedReason}`);
    if (counts.completed === n) return performance.now();
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Redis's own CPU time so far (user + system), in ms. */
async function redisCpuMs(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  return (Number(/used_cpu_user:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)![1])) * 1000;
}

async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function throughput(redis: TestRedis, scans: string[], out: string, workers: number, threads: number): Promise<void> {
  const name = `tp${workers}w${threads}t`;
  const list = path.join(out, `${name}.txt`);
  writeFileSync(list, scans.join('\n'));
  await cli(['queue', 'submit', '--config_file', CONFIG, '--inputs', list, '--redis', redis.url, '--queue', name, '--output_dir', path.join(out, name), '--intra_op_num_threads', String(threads)]);
  const queue = new Queue(name, { connection: connectionOptions({ url: redis.url }, false) });
  const pool = await startWorkers(workers, redis, name);
  const done = await waitCompleted(queue, scans.length);
  const seconds = (done - pool.readyAt) / 1000;
  console.log(`${String(workers).padStart(7)} | ${String(threads || 'auto').padStart(16)} | ${String(scans.length).padStart(5)} | ${seconds.toFixed(1).padStart(6)} | ${((scans.length / seconds) * 60).toFixed(1).padStart(9)}`);
  // the same cohort again after `clean`: every job is skipped, so the time per job is the worker's fixed cost
  if (workers === 1 && threads === 0) {
    await cli(['queue', 'clean', '--redis', redis.url, '--queue', name]);
    await cli(['queue', 'submit', '--config_file', CONFIG, '--inputs', list, '--redis', redis.url, '--queue', name, '--output_dir', path.join(out, name), '--intra_op_num_threads', String(threads)]);
    const t0 = performance.now();
    await waitCompleted(queue, scans.length);
    skippedMs = (performance.now() - t0) / scans.length;
  }
  await pool.stop();
  await queue.close();
}

let skippedMs = NaN;

async function overhead(redis: TestRedis, dir: string): Promise<void> {
  const client = new Redis(redis.url);
  const name = 'overhead';
  const list = path.join(dir, 'overhead.txt');
  writeFileSync(list, Array.from({ length: OVERHEAD_JOBS }, (_, i) => path.join(dir, 'none', `scan_${i}.nii.gz`)).join('\n'));
  const before = await usedMemory(client);
  const cpu0 = await redisCpuMs(client);
  const t0 = performance.now();
  const result = await submitJobs({
    target: { url: redis.url }, queue: name, configHash: await bundleHash([CONFIG]), inputs: [list], overrides: [{ id: 'output_dir', value: path.join(dir, 'out') }],
    imageKey: 'image', identity: 'stat', force: false, attempts: 3, backoffMs: 5000,
  });
  const submitMs = (performance.now() - t0) / result.added;
  const waitingBytes = (await usedMemory(client)) - before;

  const queue = new Queue(name, { connection: connectionOptions({ url: redis.url }, false) });
  const t1 = performance.now();
  const worker = new Worker(name, async (job) => ({ input: job.data.input, outputs: [`${job.data.input}.seg.nii.gz`], skipped: true, summary: null, ms: 0 }), {
    connection: connectionOptions({ url: redis.url }, true), concurrency: 1, lockDuration: 30_000, stalledInterval: 30_000, maxStalledCount: 3,
  });
  await waitCompleted(queue, OVERHEAD_JOBS);
  const pickAckMs = (performance.now() - t1) / OVERHEAD_JOBS;
  await worker.close();
  const redisCpuPerJobUs = ((await redisCpuMs(client)) - cpu0) * 1000 / OVERHEAD_JOBS;
  const completedBytes = (await usedMemory(client)) - before;
  console.log(`\nqueue overhead per job over ${OVERHEAD_JOBS} jobs: submit ${submitMs.toFixed(2)} ms + pick and ack ${pickAckMs.toFixed(2)} ms = ${(submitMs + pickAckMs).toFixed(2)} ms (target < 20 ms)`);
  console.log(`Redis CPU per job (submit + pick + ack, INFO used_cpu): ${redisCpuPerJobUs.toFixed(0)} µs`);
  console.log(`a real worker's cost per job it skips (config load, idempotence check, pick, ack; no inference): ${skippedMs.toFixed(1)} ms`);
  console.log(`Redis memory per 10,000 jobs: ${(waitingBytes / 2 ** 20 / (OVERHEAD_JOBS / 10_000)).toFixed(1)} MiB waiting, ${(completedBytes / 2 ** 20 / (OVERHEAD_JOBS / 10_000)).toFixed(1)} MiB completed (kept for dedup and status)`);
  await queue.close();
  client.disconnect();
}

export async function run(): Promise<void> {
  if (!existsSync(CLI)) return void console.log('skipped: dist/cli/main.js is missing (run `npm run build` first)');
  if (!hasRedisServer()) return void console.log('skipped: redis-server is not installed');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-queue-'));
  const redis = await startRedis();
  try {
    mkdirSync(path.join(dir, 'scans'));
    const scans = await makeScans(path.join(dir, 'scans'), SCANS);
    console.log(`brain MeshNet (model5_gw_ae) on ${SCANS} crops of ${SIDE}^3, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at start`);
    console.log('workers | intra-op threads | scans | wall s | scans/min');
    await throughput(redis, scans, dir, 1, 0);
    await throughput(redis, scans, dir, 1, 1);
    await throughput(redis, scans, dir, 2, 1);
    await overhead(redis, dir);
    console.log(`load average ${os.loadavg()[0]!.toFixed(1)} at the end`);
  } finally {
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
