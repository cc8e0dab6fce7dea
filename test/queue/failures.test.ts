/**
 * Failures a user meets with a real queue: bad inputs fail their own jobs (typed kinds, retried with backoff,
 * listed by `status`) while the others finish, `retry-failed` after fixing completes them; a worker refuses
 * jobs of another bundle; an unreachable Redis is one clear error.
 */
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { bundleCli } from '../cli/bundleCli.js';
import { freePort, redisOrSkip, type TestRedis } from '../helpers/redis.js';
import { type Cohort, filesUnder, makeCohort, openQueue, startWorkerProcess, stopWorkers, waitForQueue, writePhantom } from './cohort.js';

describe('queue: failures, retries, refusals (real Redis)', function () {
  this.timeout(120_000);
  let redis: TestRedis;
  let cohort: Cohort;
  const queues: Queue[] = [];

  before(async function () {
    redis = await redisOrSkip(this);
    cohort = await makeCohort(3);
  });
  after(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await redis?.dispose();
    if (cohort) rmSync(cohort.root, { recursive: true, force: true });
  });

  it('a missing file and a non-NIfTI file fail their jobs with their kinds after the retries; the rest finish; retry-failed after fixing completes them', async () => {
    const missing = path.join(cohort.root, 'cohort', 'late.nii.gz');
    const notNifti = path.join(cohort.root, 'cohort', 'notes.nii.gz');
    writeFileSync(notNifti, 'these are notes, not an image\n');
    const list = path.join(cohort.root, 'list.txt');
    writeFileSync(list, ['# the cohort', ...cohort.inputs.map((f) => path.relative(cohort.root, f)), 'cohort/late.nii.gz', 'cohort/notes.nii.gz', ''].join('\n'));
    const out = path.join(cohort.root, 'out-failures');
    const submitted = await bundleCli(['queue', 'submit', '--config_file', cohort.config, '--inputs', list, '--redis', redis.url, '--queue', 'bad', '--attempts', '2', '--backoff', '100', '--output_dir', out]);
    expect(submitted.code, submitted.stderr).to.equal(0);
    expect(submitted.stdout).to.contain('5 new jobs');
    expect(submitted.stderr).to.contain(`warning: ${missing} does not exist`);

    const queue = openQueue(redis.url, 'bad');
    queues.push(queue);
    const worker = startWorkerProcess(cohort.config, redis.url, 'bad');
    const status = await waitForQueue(queue, redis.url, (s) => s.completed + s.failed === 5, 60_000);
    expect(status).to.include({ completed: 3, failed: 2 });
    const byInput = Object.fromEntries(status.failed_jobs.map((f) => [f.input, f]));
    expect(byInput[missing]).to.include({ kind: 'image_not_found', attempts: 2 });
    expect(byInput[missing]!.message).to.contain(missing);
    expect(byInput[notNifti]).to.include({ kind: 'invalid_image', attempts: 2 });

    const human = await bundleCli(['queue', 'status', '--redis', redis.url, '--queue', 'bad']);
    expect(human.stdout).to.match(/completed 3 {2}failed 2/);
    expect(human.stdout).to.contain(`${missing}\n    error[image_not_found]:`);
    expect(human.stdout).to.contain(`${notNifti}\n    error[invalid_image]:`);
    expect(worker.log()).to.match(/failed j[0-9a-f]+ .*late\.nii\.gz \(attempt 1 of 2\): error\[image_not_found\]/);

    await writePhantom(missing, 3);
    await writePhantom(notNifti, 4);
    const retried = await bundleCli(['queue', 'retry-failed', '--redis', redis.url, '--queue', 'bad']);
    expect(retried.stdout).to.contain('2 failed jobs moved back to waiting');
    const after = await waitForQueue(queue, redis.url, (s) => s.completed === 5 || (s.failed > 0 && s.waiting + s.active + s.delayed === 0), 60_000);
    await stopWorkers([worker]);
    expect(after).to.include({ completed: 5, failed: 0 });
    expect(filesUnder(out).filter((f) => f.endsWith('_seg.nii.gz'))).to.have.length(5);
  });

  it('a worker with another bundle refuses the job at once with config_mismatch', async () => {
    const other = path.join(cohort.root, 'configs', 'other.json');
    const raw = JSON.parse(readFileSync(cohort.config, 'utf8'));
    writeFileSync(other, JSON.stringify({ ...raw, output_postfix: 'other' }));
    const submitted = await bundleCli(['queue', 'submit', '--config_file', cohort.config, '--inputs', cohort.inputs[0]!, '--redis', redis.url, '--queue', 'mismatch']);
    expect(submitted.code, submitted.stderr).to.equal(0);
    const queue = openQueue(redis.url, 'mismatch');
    queues.push(queue);
    const worker = startWorkerProcess(other, redis.url, 'mismatch');
    const status = await waitForQueue(queue, redis.url, (s) => s.failed === 1, 60_000);
    await stopWorkers([worker]);
    expect(status.failed_jobs[0]).to.include({ kind: 'config_mismatch', attempts: 1 });
  });

  it('an unreachable Redis is one queue_unreachable error, with the password hidden', async () => {
    const port = await freePort();
    const result = await bundleCli(['queue', 'status', '--redis', `redis://:s3cret@127.0.0.1:${port}`]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`error[queue_unreachable]: Cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect(result.stderr).to.not.contain('s3cret');
  });
});
