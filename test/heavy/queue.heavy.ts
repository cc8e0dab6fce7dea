/**
 * The queue under abuse, with a real redis-server and real worker processes (too slow for npm test):
 * - chaos: workers SIGKILLed at random moments over several rounds; every job completes exactly once,
 *   outputs equal single-process runs, no temporary file is left, and each killed worker's job is taken
 *   up again within the stall interval;
 * - Redis restarted mid-run: the workers reconnect and finish the cohort.
 * Jobs are made slow (sliding windows of 4 voxels, 75 % overlap: about a second each) so kills land mid-job.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { runBundle } from '../../src/engine/runBundle.js';
import { defaultRegistry } from '../../src/cli/registry.js';
import { bundleCli } from '../cli/bundleCli.js';
import { redisOrSkip, type TestRedis } from '../helpers/redis.js';

// enough jobs that the cohort outlasts several kill rounds even on an idle machine (a job takes well under a second)
const JOBS = 48;
import { type Cohort, doneCounts, FAST_STALL, filesUnder, makeCohort, openQueue, sameBytes, startWorkerProcess, stopWorkers, waitForQueue, type WorkerProcess } from '../queue/cohort.js';

const SLOW = ['--inferer::roi_size', '[4,4,4]', '--inferer::overlap', '0.75'];
const LOCK_MS = 2000;
const STALLED_INTERVAL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submit(cohort: Cohort, redis: TestRedis, queue: string, out: string): Promise<void> {
  const r = await bundleCli(['queue', 'submit', '--config_file', cohort.config, '--inputs', path.join(cohort.root, 'cohort', '*.nii.gz'), '--redis', redis.url, '--queue', queue, '--output_dir', out, ...SLOW]);
  expect(r.code, r.stderr).to.equal(0);
}

function completions(workers: WorkerProcess[]): Map<string, number> {
  const logs = workers.map((w) => w.log());
  const counts = doneCounts(logs);
  for (const m of logs.join('\n').matchAll(/skipped \(already done\) (j[0-9a-f]{32}) /g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}

describe('queue (heavy): chaos and Redis restarts', function () {
  this.timeout(600_000);
  let redis: TestRedis;
  let cohort: Cohort;
  const queues: Queue[] = [];
  const workers: WorkerProcess[] = [];

  before(async function () {
    redis = await redisOrSkip(this, { persist: true });
    cohort = await makeCohort(JOBS);
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(queues.map((q) => q.close()));
    await redis?.dispose();
    if (cohort) rmSync(cohort.root, { recursive: true, force: true });
  });

  it('chaos: SIGKILLed workers over 4 rounds; every job completes exactly once, the killed job moves on within the stall interval', async () => {
    const out = path.join(cohort.root, 'out-chaos');
    await submit(cohort, redis, 'chaos', out);
    const queue = openQueue(redis.url, 'chaos');
    queues.push(queue);
    const live: WorkerProcess[] = [0, 1, 2].map(() => startWorkerProcess(cohort.config, redis.url, 'chaos', FAST_STALL));
    workers.push(...live);
    const pickups: number[] = [];
    const handovers: number[] = [];
    for (let round = 0; round < 4; round++) {
      await sleep(200 + Math.random() * 800);
      // a victim that holds a job right now, so that the handover is observable (workers may still be starting)
      let victim: WorkerProcess | undefined;
      let job: Awaited<ReturnType<Queue['getActive']>>[number] | undefined;
      for (const deadline = Date.now() + 60_000; !victim && Date.now() < deadline; await sleep(100)) {
        const active = await queue.getActive();
        victim = live.find((w) => active.some((j) => j.processedBy?.endsWith(`:${w.child.pid}`)));
        job = victim && active.find((j) => j.processedBy?.endsWith(`:${victim!.child.pid}`));
      }
      if (!victim || !job) break; // the cohort is done
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await victim.exited;
      live.splice(live.indexOf(victim), 1);
      const replacement = startWorkerProcess(cohort.config, redis.url, 'chaos', FAST_STALL);
      live.push(replacement);
      workers.push(replacement);
      // handed back: the stall check put it back to waiting (or a worker already took it); picked up: a
      // worker started it again (processedOn moves) or it finished, which needs a free worker
      let handover: number | undefined;
      for (;;) {
        const now = await queue.getJob(job!.id!);
        const pickedUp = now && ((now.processedOn ?? 0) > killedAt || now.finishedOn);
        if (handover === undefined && now && (pickedUp || (await now.getState()) === 'waiting')) handover = Date.now() - killedAt;
        if (pickedUp) break;
        if (Date.now() - killedAt > 60_000) throw new Error(`job ${job!.id} was not taken up within 60 s of its worker's death`);
        await sleep(100);
      }
      handovers.push(handover!);
      pickups.push(Date.now() - killedAt);
    }
    const secs = (list: number[]) => list.map((p) => `${(p / 1000).toFixed(1)} s`).join(', ');
    console.log(`      killed ${pickups.length} busy workers; their jobs were handed back after ${secs(handovers)} and restarted after ${secs(pickups)} (lock ${LOCK_MS} ms, stall check every ${STALLED_INTERVAL_MS} ms)`);
    const status = await waitForQueue(queue, redis.url, (s) => s.completed === JOBS || s.failed > 0, 300_000);
    const codes = await stopWorkers(live);
    expect(status.failed_jobs).to.deep.equal([]);
    expect(status.completed).to.equal(JOBS);
    expect(codes).to.deep.equal(live.map(() => 0));
    expect(pickups.length, 'rounds in which a busy worker was killed').to.be.greaterThan(2);
    // the lock expires, then the next stall check hands the job back; machine load adds slack
    for (const h of handovers) expect(h).to.be.lessThan(LOCK_MS + 2 * STALLED_INTERVAL_MS + 3000);

    const counts = completions(workers);
    expect(counts.size).to.equal(JOBS);
    const twice = [...counts.entries()].filter(([, n]) => n !== 1).map(([id]) => id);
    expect(twice, `jobs completed more than once:\n${workers.map((w) => w.log()).join('\n').split('\n').filter((l) => twice.some((id) => l.includes(id))).join('\n')}`).to.deep.equal([]);
    const images = filesUnder(out).filter((f) => f.endsWith('.nii.gz'));
    expect(images).to.have.length(JOBS);
    expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    const reference = mkdtempSync(path.join(os.tmpdir(), 'chaos-reference-'));
    for (const input of cohort.inputs) {
      await runBundle({
        configFiles: [cohort.config],
        overrides: [{ id: 'input_dict::image', value: input }, { id: 'output_dir', value: reference }, { id: 'inferer::roi_size', value: [4, 4, 4] }, { id: 'inferer::overlap', value: 0.75 }],
        registry: defaultRegistry(),
      });
    }
    for (const f of images) expect(sameBytes(path.join(out, f), path.join(reference, f)), f).to.equal(true);
    rmSync(reference, { recursive: true, force: true });
  });

  it('SIGTERM: a worker finishes the job it holds and exits 0, leaving the other jobs waiting', async () => {
    const out = path.join(cohort.root, 'out-sigterm');
    await submit(cohort, redis, 'sigterm', out);
    const queue = openQueue(redis.url, 'sigterm');
    queues.push(queue);
    const worker = startWorkerProcess(cohort.config, redis.url, 'sigterm', FAST_STALL);
    workers.push(worker);
    let held: string | undefined;
    for (const deadline = Date.now() + 60_000; !held && Date.now() < deadline; await sleep(50)) {
      held = (await queue.getActive()).find((j) => j.processedBy?.endsWith(`:${worker.child.pid}`))?.id;
    }
    expect(held, 'the worker took a job').to.be.a('string');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).to.equal(0);
    expect([...doneCounts([worker.log()]).keys()]).to.include(held);
    const job = await queue.getJob(held!);
    expect(await job!.getState()).to.equal('completed');
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed');
    expect(counts).to.deep.include({ active: 0, failed: 0, completed: doneCounts([worker.log()]).size });
    expect(counts.waiting! + counts.completed!).to.equal(JOBS);
    await queue.obliterate({ force: true });
  });

  it('Redis restarted mid-run: the workers reconnect and finish the cohort', async () => {
    const out = path.join(cohort.root, 'out-restart');
    await submit(cohort, redis, 'restart', out);
    const queue = openQueue(redis.url, 'restart');
    queues.push(queue);
    // a lock longer than the outage, so that the restart alone is tested (stalls are the chaos test's)
    const pair = [0, 1].map(() => startWorkerProcess(cohort.config, redis.url, 'restart', ['--lock_duration', '20000', '--stalled_interval', '5000']));
    workers.push(...pair);
    await waitForQueue(queue, redis.url, (s) => s.completed >= 3, 120_000);
    await redis.stop();
    await sleep(3000);
    await redis.start();
    const status = await waitForQueue(queue, redis.url, (s) => s.completed === JOBS || s.failed > 0, 300_000);
    expect(pair.map((w) => w.child.exitCode), 'the workers kept running through the outage').to.deep.equal([null, null]);
    const codes = await stopWorkers(pair);
    expect(status).to.include({ completed: JOBS, failed: 0 });
    expect(codes).to.deep.equal([0, 0]);
    expect(pair.map((w) => w.log()).join('\n')).to.match(/redis: .*\(reconnecting\)/);
    const counts = completions(pair);
    expect(counts.size).to.equal(JOBS);
    expect([...counts.values()].every((n) => n === 1)).to.equal(true);
    expect(filesUnder(out).filter((f) => f.endsWith('_seg.nii.gz'))).to.have.length(JOBS);
    expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });
});
