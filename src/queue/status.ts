/**
 * `bundle queue status`, `retry-failed` and `clean`: what a person (or a script, with --json) needs at a
 * glance: counts, each failed job with its input and error kind, recent throughput and an ETA.
 */
import { Queue } from 'bullmq';
import { checkRedis, connectionOptions, redactUrl, type RedisTarget } from './connection.js';
import type { JobData } from './jobs.js';
import { parseFailure } from './runJob.js';

export interface FailedJob {
  id: string;
  input: string | null;
  kind: string;
  message: string;
  attempts: number;
}

export interface QueueStatus {
  queue: string;
  redis: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  /** the queue is paused (workers take no job) */
  paused: boolean;
  /** completions per minute over the most recent completed jobs (null: fewer than two) */
  throughput_per_min: number | null;
  /** seconds until waiting + active + delayed are done at that rate (null: unknown or nothing left) */
  eta_seconds: number | null;
  failed_jobs: FailedJob[];
}

/** how many recent completions the throughput is measured over */
const RATE_WINDOW = 200;

export async function withQueue<T>(target: RedisTarget, name: string, f: (queue: Queue) => Promise<T>): Promise<T> {
  await checkRedis(target);
  const queue = new Queue(name, { connection: connectionOptions(target, false) });
  try {
    return await f(queue);
  } finally {
    await queue.close();
  }
}

export async function queueStatus(queue: Queue, target: RedisTarget, failedLimit = 1000): Promise<QueueStatus> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  const n = (k: string) => counts[k] ?? 0;
  const recent = await queue.getCompleted(0, RATE_WINDOW - 1);
  const times = recent.map((j) => j.finishedOn).filter((t): t is number => typeof t === 'number');
  const span = times.length >= 2 ? Math.max(...times) - Math.min(...times) : 0;
  const rate = span > 0 ? ((times.length - 1) / span) * 60_000 : null;
  const left = n('waiting') + n('prioritized') + n('active') + n('delayed');
  const failed = await queue.getFailed(0, failedLimit - 1);
  return {
    queue: queue.name,
    redis: redactUrl(target.url),
    waiting: n('waiting') + n('prioritized'),
    active: n('active'),
    delayed: n('delayed'),
    completed: n('completed'),
    failed: n('failed'),
    paused: await queue.isPaused(),
    throughput_per_min: rate === null ? null : Math.round(rate * 10) / 10,
    eta_seconds: rate && left > 0 ? Math.round((left / rate) * 60) : null,
    failed_jobs: failed.map((job) => ({
      id: job.id ?? '',
      input: typeof job.data?.input === 'string' ? job.data.input : null,
      ...parseFailure(job.failedReason),
      attempts: job.attemptsMade,
    })),
  };
}

export function formatStatus(s: QueueStatus, shownFailures = 20): string {
  const lines = [
    `queue "${s.queue}" at ${s.redis}`,
    `  waiting ${s.waiting}  active ${s.active}  delayed ${s.delayed}  completed ${s.completed}  failed ${s.failed}${s.paused ? '  (paused)' : ''}`,
    `  throughput ${s.throughput_per_min === null ? '-' : `${s.throughput_per_min} scans/min`}  ETA ${s.eta_seconds === null ? '-' : duration(s.eta_seconds)}`,
  ];
  if (s.failed_jobs.length) {
    lines.push('failed jobs (bundle queue retry-failed runs them again):');
    for (const f of s.failed_jobs.slice(0, shownFailures)) lines.push(`  ${f.id}  ${f.input ?? '?'}\n    error[${f.kind}]: ${f.message} (${f.attempts} attempt${f.attempts === 1 ? '' : 's'})`);
    if (s.failed_jobs.length > shownFailures) lines.push(`  ... and ${s.failed - shownFailures} more (--json lists them)`);
  }
  return lines.join('\n');
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${seconds % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Moves every failed job back to waiting, with its attempts reset; returns how many. */
export async function retryFailed(queue: Queue): Promise<number> {
  let retried = 0;
  for (;;) {
    // each retry moves the job out of the failed list, so the first page is always the next one
    const jobs = await queue.getFailed(0, 499);
    if (jobs.length === 0) return retried;
    for (const job of jobs) await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    retried += jobs.length;
  }
}

export type CleanWhat = 'completed' | 'failed' | 'all';

/** Removes finished jobs (or, with "all", the whole queue, running jobs included); returns how many were removed. */
export async function cleanQueue(queue: Queue, what: CleanWhat): Promise<number> {
  if (what === 'all') {
    const counts = await queue.getJobCounts();
    await queue.obliterate({ force: true });
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }
  let removed = 0;
  for (;;) {
    const ids = await queue.clean(0, 10_000, what);
    removed += ids.length;
    if (ids.length === 0) return removed;
  }
}
