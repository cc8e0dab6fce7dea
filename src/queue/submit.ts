/**
 * `bundle queue submit`: one job per input file. Job ids are deterministic (see jobIdOf), and BullMQ keeps
 * finished jobs, so a second submission of the same cohort adds nothing; `force` replaces finished or failed
 * jobs with ones that run even when their output exists.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { checkRedis, connectionOptions, type RedisTarget } from './connection.js';
import { checkDataOnly, checkOverrides, JOB_FORMAT, type JobData, jobIdOf, type JobOverride } from './jobs.js';
import { collectInputs, type IdentityMode, inputIdentity } from './inputs.js';

export interface SubmitOptions {
  target: RedisTarget;
  queue: string;
  /** configHash of the bundle (see bundleHash) */
  configHash: string;
  inputs: string[];
  overrides: JobOverride[];
  template?: Record<string, unknown>;
  imageKey: string;
  identity: IdentityMode;
  force: boolean;
  /** tries per job, the first included */
  attempts: number;
  /** first retry delay (ms); doubles each retry */
  backoffMs: number;
}

export interface SubmitResult {
  total: number;
  added: number;
  /** already in the queue (waiting, running, done or failed): nothing added */
  existing: number;
  /** finished or failed jobs replaced because of --force */
  forced: number;
  /** inputs that do not exist now (their jobs will fail unless the file appears) */
  missing: string[];
}

const BATCH = 1000;

export async function submitJobs(options: SubmitOptions): Promise<SubmitResult> {
  checkOverrides(options.overrides);
  if (options.template) checkDataOnly(options.template, 'the --input_dict template');
  const files = collectInputs(options.inputs);
  await checkRedis(options.target);
  const jobs: Array<{ id: string; data: JobData }> = [];
  const missing: string[] = [];
  for (const input of files) {
    const identity = await inputIdentity(input, options.identity);
    if (identity === 'missing') missing.push(input);
    const data: JobData = {
      format: JOB_FORMAT,
      input,
      imageKey: options.imageKey,
      ...(options.template ? { template: options.template } : {}),
      overrides: options.overrides,
      configHash: options.configHash,
      identity,
    };
    jobs.push({ id: jobIdOf(data), data });
  }

  const connection = connectionOptions(options.target, false);
  const queue = new Queue(options.queue, { connection });
  const { url, ...rest } = connection;
  const client = new Redis(url, rest);
  try {
    let added = 0;
    let existing = 0;
    let forced = 0;
    for (let i = 0; i < jobs.length; i += BATCH) {
      const batch = jobs.slice(i, i + BATCH);
      const pipeline = client.pipeline();
      for (const job of batch) pipeline.exists(queue.toKey(job.id));
      const exists = ((await pipeline.exec()) ?? []).map(([, n]) => n === 1);
      const fresh: typeof batch = [];
      for (const [k, job] of batch.entries()) {
        if (!exists[k]) fresh.push(job);
        else if (options.force && (await replaceFinished(queue, job.id))) {
          fresh.push({ id: job.id, data: { ...job.data, force: true } });
          forced++;
        } else existing++;
      }
      await queue.addBulk(
        fresh.map((job) => ({
          name: 'run',
          data: job.data,
          opts: {
            jobId: job.id,
            attempts: options.attempts,
            backoff: { type: 'exponential', delay: options.backoffMs },
            // finished jobs stay: they make resubmission a no-op and feed `queue status`
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
      added += fresh.length;
    }
    return { total: jobs.length, added: added - forced, existing, forced, missing };
  } finally {
    client.disconnect();
    await queue.close();
  }
}

/** Removes a completed or failed job so that it can be added again; a waiting or running one is left. */
async function replaceFinished(queue: Queue, id: string): Promise<boolean> {
  const job = await queue.getJob(id);
  if (!job) return true;
  const state = await job.getState();
  if (state !== 'completed' && state !== 'failed') return false;
  await job.remove();
  return true;
}
