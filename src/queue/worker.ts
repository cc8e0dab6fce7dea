/**
 * `bundle worker`: a BullMQ worker that runs the jobs of one queue with the bundle of its own --config_file.
 * The process keeps its registry and onnxruntime sessions (cached per model file) across jobs, so the network
 * is loaded once; each job gets its own config resolution because its input differs.
 *
 * Failures are recorded as `error[kind]: message` (the job's failedReason) and retried with the backoff the
 * job was submitted with; a rejected job (code in its data, or another bundle's hash) fails at once.
 * SIGTERM/SIGINT: take no new job, finish the running ones, exit 0; a second signal stops at once and the
 * running jobs go back to the queue through BullMQ's stalled-job check (as after SIGKILL).
 */
import os from 'node:os';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { BundleError, renderError } from '../errors/index.js';
import { loadConfig } from '../config/index.js';
import { configHash } from '../engine/configHash.js';
import type { Handler } from '../engine/events.js';
import { connectionOptions, redactUrl, type RedisTarget } from './connection.js';
import type { JobData } from './jobs.js';
import { failureText, type JobResult, runJob, type WorkerBundle } from './runJob.js';

export interface StallOptions {
  /** how long a job's lock lives without renewal; a killed worker's job is free again after it (ms) */
  lockDurationMs: number;
  /** how often workers look for jobs whose lock expired (ms) */
  stalledIntervalMs: number;
  /** how many times a job may be recovered from a stall before it fails */
  maxStalledCount: number;
}


export interface QueueWorkerOptions {
  target: RedisTarget;
  queue: string;
  concurrency: number;
  bundle: WorkerBundle;
  stall: StallOptions;
  /** stop (as on SIGTERM) once no job is waiting, delayed or active: for batch runs that should end */
  untilEmpty?: boolean;
  /** one line per event (job done, failed, connection trouble) */
  log: (line: string) => void;
}

/** The hash a job must carry to run here: the merged config files, before any override. */
export async function bundleHash(configFiles: string[], metaFiles?: string[]): Promise<string> {
  const config = await loadConfig({ configFiles, ...(metaFiles ? { metaFiles } : {}) });
  return configHash(config.raw(''));
}

/**
 * Loads the bundle before the first job: its hash, and its network (`network_def`, else `network`) built and
 * loaded, so that the onnxruntime session exists before the worker holds a job lock (creating it blocks the
 * event loop, which would stop the lock from being renewed) and a missing model fails the worker at start.
 */
export async function prepareBundle(bundle: Omit<WorkerBundle, 'configHash'>): Promise<WorkerBundle> {
  const config = await loadConfig({
    configFiles: bundle.configFiles,
    ...(bundle.metaFiles ? { metaFiles: bundle.metaFiles } : {}),
    registry: bundle.registry,
    logger: bundle.logger,
    ...(bundle.loadOptions?.allowOutsideBundleRoot !== undefined ? { allowOutsideBundleRoot: bundle.loadOptions.allowOutsideBundleRoot } : {}),
    ...(bundle.loadOptions?.expressionTimeoutMs !== undefined ? { expressionTimeoutMs: bundle.loadOptions.expressionTimeoutMs } : {}),
    ...(bundle.loadOptions?.expressionMaxDepth !== undefined ? { expressionMaxDepth: bundle.loadOptions.expressionMaxDepth } : {}),
  });
  const id = ['network_def', 'network'].find((i) => config.has(i));
  if (id) {
    const network = (await config.resolve(id)) as { load?: () => Promise<void> } | null;
    if (typeof network?.load === 'function') await network.load();
  }
  return { ...bundle, configHash: configHash(config.raw('')) };
}

export interface RunningWorker {
  /** resolves when the worker has stopped (after a signal or stop()) */
  stopped: Promise<void>;
  stop(force?: boolean): Promise<void>;
}

export async function startWorker(options: QueueWorkerOptions): Promise<RunningWorker> {
  const { bundle, log } = options;
  const processor = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
    // in steps of 10 %: a sliding-window run reports every window, and each report is a Redis call
    let reported = -1;
    const progress: Handler = {
      onEvent(event) {
        if (event.name === 'inference_progress' && event.progress && event.progress.total > 0) {
          const step = Math.floor((10 * event.progress.done) / event.progress.total) * 10;
          if (step > reported) void job.updateProgress((reported = step)).catch(() => undefined);
        }
      },
    };
    try {
      return await runJob(bundle, job.id!, job.data, [progress]);
    } catch (e) {
      const text = failureText(e);
      if (e instanceof BundleError) await job.log(renderError(e)).catch(() => undefined);
      if (e instanceof BundleError && (e.kind === 'job_rejected' || e.kind === 'config_mismatch')) throw new UnrecoverableError(text);
      throw new Error(text);
    }
  };

  const worker = new Worker<JobData, JobResult>(options.queue, processor, {
    connection: connectionOptions(options.target, true),
    concurrency: options.concurrency,
    name: `${os.hostname()}:${process.pid}`,
    lockDuration: options.stall.lockDurationMs,
    stalledInterval: options.stall.stalledIntervalMs,
    maxStalledCount: options.stall.maxStalledCount,
    autorun: false,
  });
  // logged once BullMQ has recorded the outcome (a worker that lost its job's lock gets no 'completed')
  worker.on('completed', (job, result) => {
    log(`${result.skipped ? 'skipped (already done)' : 'done'} ${job.id} ${result.input} -> ${result.outputs.join(', ') || '(no output)'} in ${(result.ms / 1000).toFixed(1)} s`);
  });
  worker.on('failed', (job, error) => {
    if (job) log(`failed ${job.id} ${typeof job.data?.input === 'string' ? job.data.input : '?'} (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}): ${error.message}`);
  });
  let lastError = '';
  worker.on('error', (e) => {
    if (/lock/i.test(e.message)) {
      // not a connection problem: the job ran longer without a break than its lock lives
      log(`lost a job lock (${e.message}): a run blocked lock renewal for longer than --lock_duration; the job goes back to the queue`);
      return;
    }
    // ioredis reconnects by itself; say so once per distinct problem, not once per retry
    if (e.message !== lastError) log(`redis: ${e.message} (reconnecting)`);
    lastError = e.message;
  });
  worker.on('ready', () => {
    if (lastError) log('redis: connected again');
    lastError = '';
  });
  await worker.waitUntilReady();

  let stopping: Promise<void> | undefined;
  const stop = (force = false): Promise<void> => {
    if (force) return worker.close(true);
    stopping ??= worker.close();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) {
      log(`${signal}: finishing the running job${options.concurrency > 1 ? 's' : ''}, then exiting (again to stop now)`);
      void stop();
    } else {
      log(`${signal}: stopping now; running jobs return to the queue after the lock expires`);
      void stop(true);
    }
  };
  const queue = options.untilEmpty ? new Queue(options.queue, { connection: connectionOptions(options.target, true) }) : undefined;
  let emptyCheck: NodeJS.Timeout | undefined;
  if (queue) {
    queue.on('error', () => undefined); // the worker's own 'error' handler reports connection trouble
    // active jobs count too: a job whose worker died is active until a stall check (ours, if we stay) frees it
    emptyCheck = setInterval(() => {
      void queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active').then((c) => {
        if (!stopping && Object.values(c).every((n) => n === 0)) {
          log('queue empty: exiting (--until_empty)');
          void stop();
        }
      }, () => undefined);
    }, 1000);
  }
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  log(`worker ${os.hostname()}:${process.pid} on queue "${options.queue}" at ${redactUrl(options.target.url)}, concurrency ${options.concurrency}`);
  const stopped = worker.run().then(async () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await stopping;
    clearInterval(emptyCheck);
    await queue?.close();
  });
  return { stopped, stop };
}
