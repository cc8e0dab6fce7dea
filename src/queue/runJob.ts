/**
 * One job, run exactly as `bundle run` runs it (runBundle: same config loading, same outputs and names, same
 * atomic writes), with the job's data as overrides. Each job writes its run summary to
 * `<output_dir>/run_summaries/<job id>.json`; a job whose summary says it completed with the same config hash,
 * and whose outputs all exist, is not run again (idempotence across resubmissions, stalls and retries).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BundleError, BundleErrorList } from '../errors/index.js';
import type { ComponentFactory } from '../config/index.js';
import type { Handler } from '../engine/events.js';
import type { RunSummary } from '../engine/handlers/RunSummaryHandler.js';
import { runBundle } from '../engine/runBundle.js';
import type { Logger } from '../registry/ComponentEntry.js';
import { removeStaleTemps } from '../util/atomicWrite.js';
import { jobOverrides, parseJobData } from './jobs.js';

export const JOB_SUMMARY_DIR = 'run_summaries';

export interface WorkerBundle {
  configFiles: string[];
  metaFiles?: string[];
  /** configHash of the worker's merged config files (jobs must carry the same) */
  configHash: string;
  registry: ComponentFactory;
  pathMaps: Array<[string, string]>;
  logger: Logger;
  loadOptions?: { allowOutsideBundleRoot?: boolean; expressionTimeoutMs?: number; expressionMaxDepth?: number };
}

export interface JobResult {
  input: string;
  outputs: string[];
  skipped: boolean;
  summary: string | null;
  ms: number;
}

export async function runJob(bundle: WorkerBundle, jobId: string, rawData: unknown, handlers: Handler[] = []): Promise<JobResult> {
  const t0 = performance.now();
  const data = parseJobData(rawData);
  if (data.configHash !== bundle.configHash) {
    throw new BundleError('config_mismatch', `Job ${jobId} was submitted for config ${data.configHash.slice(0, 12)}, but this worker runs config ${bundle.configHash.slice(0, 12)}.`);
  }
  let finished: RunSummary | null = null;
  let summaryFile: string | null = null;
  const result = await runBundle({
    configFiles: bundle.configFiles,
    ...(bundle.metaFiles ? { metaFiles: bundle.metaFiles } : {}),
    overrides: jobOverrides(data, bundle.pathMaps).map((o) => ({ ...o, origin: { source: 'cli' as const, detail: `job ${jobId}: --${o.id}` } })),
    registry: bundle.registry,
    logger: bundle.logger,
    handlers,
    summaryName: path.join(JOB_SUMMARY_DIR, `${jobId}.json`),
    ...(bundle.loadOptions ? { loadOptions: bundle.loadOptions } : {}),
    shouldRun: (info) => {
      summaryFile = info.summaryFile;
      finished = data.force ? null : finishedRun(info.summaryFile, info.configHash);
      return finished === null;
    },
  });
  const done = finished as RunSummary | null;
  const outputs = done ? done.outputs : result.outputs;
  const summary = result.summaryFile ?? (done ? summaryFile : null);
  // a worker killed between writing and renaming leaves a temporary file; this job's lock says none is in flight
  for (const file of [...outputs, ...(summary ? [summary] : [])]) removeStaleTemps(file);
  return { input: data.input, outputs, skipped: done !== null, summary, ms: Math.round(performance.now() - t0) };
}

/** The summary of an earlier completed run of this very config whose outputs are all still there, or null. */
export function finishedRun(summaryFile: string | null, configHash: string): RunSummary | null {
  if (!summaryFile || !existsSync(summaryFile)) return null;
  try {
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary;
    const ok = summary.status === 'completed' && summary.config_sha256 === configHash && summary.outputs.length > 0 && summary.outputs.every((f) => existsSync(f));
    return ok ? summary : null;
  } catch {
    return null;
  }
}

/** `error[kind]: message`, the form a failure is recorded in (BullMQ keeps one string per failed job). */
export function failureText(error: unknown): string {
  if (error instanceof BundleError) return `error[${error.kind}]: ${error.message}`;
  if (error instanceof BundleErrorList) return error.errors.map((e) => `error[${e.kind}]: ${e.message}`).join('; ');
  return `error[internal]: ${error instanceof Error ? error.message : String(error)}`;
}

/** The kind and message back from failureText's form; other text (BullMQ's own reasons) is kind "queue". */
export function parseFailure(reason: string | undefined): { kind: string; message: string } {
  const m = /^error\[([a-z_]+)\]: ([\s\S]*)$/.exec(reason ?? '');
  return m ? { kind: m[1]!, message: m[2]! } : { kind: 'queue', message: reason ?? '' };
}
