/**
 * `bundle queue` and `bundle worker` end to end, with a real redis-server and real worker processes:
 * a 30-scan cohort through 3 workers equals 30 single-process runs, resubmission adds nothing, and a
 * worker never runs code a job names.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { bundleCli } from '../cli/bundleCli.js';
import { redisOrSkip, type TestRedis } from '../helpers/redis.js';
import { type Cohort, doneCounts, filesUnder, makeCohort, openQueue, referenceRun, sameBytes, startWorkerProcess, stopWorkers, waitForQueue } from './cohort.js';

describe('queue: submit, workers, status (real Redis)', function () {
  this.timeout(180_000);
  let redis: TestRedis;
  let cohort: Cohort;
  let reference: string;
  const queues: Queue[] = [];

  before(async function () {
    redis = await redisOrSkip(this);
    cohort = await makeCohort(30);
    reference = mkdtempSync(path.join(os.tmpdir(), 'queue-reference-'));
  });
  after(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await redis?.dispose();
    if (cohort) rmSync(cohort.root, { recursive: true, force: true });
    if (reference) rmSync(reference, { recursive: true, force: true });
  });

  const submit = (queue: string, ...extra: string[]) =>
    // the overrides right after --inputs: they must stay overrides, not become more inputs
    bundleCli(['queue', 'submit', '--config_file', cohort.config, '--inputs', path.join(cohort.root, 'cohort', '*.nii.gz'), ...extra, '--redis', redis.url, '--queue', queue]);

  it('30 scans, 3 workers: every output equals a single-process `bundle run` of its input, each job ran once, no temp file', async () => {
    const out = path.join(cohort.root, 'out');
    const submitted = await submit('cohort30', '--output_dir', out);
    expect(submitted.code, submitted.stderr).to.equal(0);
    expect(submitted.stdout).to.contain('submitted 30 inputs to queue "cohort30": 30 new jobs');

    const queue = openQueue(redis.url, 'cohort30');
    queues.push(queue);
    // the default lock (60 s): under heavy machine load a 2 s lock can expire mid-job (handovers are the chaos test's)
    const workers = [0, 1, 2].map(() => startWorkerProcess(cohort.config, redis.url, 'cohort30'));
    const status = await waitForQueue(queue, redis.url, (s) => s.completed === 30 || s.failed > 0, 120_000);
    const codes = await stopWorkers(workers);
    expect(status.failed_jobs, 'failed jobs').to.deep.equal([]);
    expect(status).to.include({ completed: 30, waiting: 0, active: 0, failed: 0 });
    expect(codes, 'SIGTERM: workers exit 0').to.deep.equal([0, 0, 0]);

    const done = doneCounts(workers.map((w) => w.log()));
    expect(done.size, workers.map((w) => w.log()).join('\n')).to.equal(30);
    const twice = [...done.entries()].filter(([, n]) => n !== 1).map(([id]) => id);
    expect(twice, `jobs completed more than once:\n${workers.map((w) => w.log()).join('\n').split('\n').filter((l) => twice.some((id) => l.includes(id))).join('\n')}`).to.deep.equal([]);
    expect(workers.filter((w) => / done /.test(w.log())).length, 'the work was shared').to.be.greaterThan(1);

    for (const input of cohort.inputs) await referenceRun(cohort.config, input, reference);
    const images = (dir: string) => filesUnder(dir).filter((f) => f.endsWith('.nii.gz'));
    expect(images(out)).to.have.length(30);
    expect(images(out)).to.deep.equal(images(reference));
    for (const f of images(out)) expect(sameBytes(path.join(out, f), path.join(reference, f)), f).to.equal(true);
    expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    expect(filesUnder(path.join(out, 'run_summaries'))).to.have.length(30);
  });

  it('the worker\'s outputs equal the real `bundle run` command\'s for one input', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'queue-cli-run-'));
    const input = cohort.inputs[7]!;
    const run = await bundleCli(['run', '--config_file', cohort.config, '--input_dict', JSON.stringify({ image: input }), '--output_dir', out, '--quiet']);
    expect(run.code, run.stderr).to.equal(0);
    const f = path.join('scan_07', 'scan_07_seg.nii.gz');
    expect(sameBytes(path.join(out, f), path.join(cohort.root, 'out', f))).to.equal(true);
    rmSync(out, { recursive: true, force: true });
  });

  it('re-submitting a finished cohort adds no work; --force queues it again', async () => {
    const out = path.join(cohort.root, 'out');
    const again = await submit('cohort30', '--output_dir', out);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain('0 new jobs, 30 already queued or done');
    const status = await bundleCli(['queue', 'status', '--redis', redis.url, '--queue', 'cohort30', '--json']);
    expect(status.code, status.stderr).to.equal(0);
    expect(JSON.parse(status.stdout)).to.include({ waiting: 0, active: 0, completed: 30, failed: 0 });

    const forced = await submit('cohort30', '--output_dir', out, '--force');
    expect(forced.stdout).to.contain('30 forced to run again');
    const after = JSON.parse((await bundleCli(['queue', 'status', '--redis', redis.url, '--queue', 'cohort30', '--json'])).stdout);
    expect(after).to.include({ waiting: 30, completed: 0 });
    const cleaned = await bundleCli(['queue', 'clean', '--all', '--redis', redis.url, '--queue', 'cohort30']);
    expect(cleaned.stdout).to.contain('30 jobs removed');
  });

  it('a worker skips an input whose output and run summary exist for the same config (after the queue was cleaned)', async () => {
    const out = path.join(cohort.root, 'out');
    await submit('resubmitted', '--output_dir', out);
    const queue = openQueue(redis.url, 'resubmitted');
    queues.push(queue);
    const worker = startWorkerProcess(cohort.config, redis.url, 'resubmitted', ['--until_empty']);
    expect(await worker.exited, '--until_empty: the worker exits 0 by itself once the queue is empty').to.equal(0);
    const status = await waitForQueue(queue, redis.url, () => true, 1000);
    expect(status).to.include({ completed: 30, waiting: 0, active: 0 });
    expect(worker.log().match(/skipped \(already done\)/g) ?? []).to.have.length(30);
    expect(doneCounts([worker.log()]).size).to.equal(0);
  });

  it('rejects a submission whose overrides carry code, naming the override', async () => {
    const target = await submit('rejected', '--network_def::_target_', 'Identity');
    expect(target.code).to.equal(1);
    expect(target.stderr).to.match(/error\[job_rejected\].*--network_def::_target_/);
    const expression = await submit('rejected', '--output_dir', "$@bundle_root & '/x'");
    expect(expression.stderr).to.match(/error\[job_rejected\].*--output_dir is an expression/);
    const template = await submit('rejected', '--input_dict', "{'label_prompt': '@other'}");
    expect(template.stderr).to.match(/error\[job_rejected\].*input_dict template\.label_prompt is a reference/);
  });

  it('a worker fails a job written straight into Redis with code in it, once, with job_rejected', async () => {
    const queue = openQueue(redis.url, 'injected');
    queues.push(queue);
    const { bundleHash } = await import('../../src/queue/worker.js');
    await queue.add('run', {
      format: 1, input: cohort.inputs[0], imageKey: 'image', configHash: await bundleHash([cohort.config]), identity: 'x',
      overrides: [{ id: 'output_dir', value: '%configs/inference.json::output_dir' }],
    }, { jobId: 'jinjected', attempts: 3 });
    const worker = startWorkerProcess(cohort.config, redis.url, 'injected');
    const status = await waitForQueue(queue, redis.url, (s) => s.failed === 1, 60_000);
    await stopWorkers([worker]);
    expect(status.failed_jobs[0]).to.include({ id: 'jinjected', kind: 'job_rejected', attempts: 1 });
    expect(status.failed_jobs[0]!.message).to.contain('is a macro');
  });
});
