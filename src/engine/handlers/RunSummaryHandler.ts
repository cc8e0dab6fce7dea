/**
 * Writes a JSON summary of the run when it ends (completed or failed): inputs, outputs written, timings per
 * stage, versions and the config's hash. The file goes to `path` when configured, else to
 * `<outputDir>/run_summary.json`; with neither, nothing is written. The write is atomic (temp + rename), and
 * the file is rewritten at the end of each evaluator run the handler hears, so a workflow that runs several
 * evaluators gets one summary of them all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BundleError, BundleErrorList, errorToJson } from '../../errors/index.js';
import { type Logger, silentLogger } from '../../registry/ComponentEntry.js';
import type { EngineEvent, Handler, ItemRecord, StageTimings } from '../events.js';
import { runtimeVersions, writeFileAtomic } from '../files.js';

export const SUMMARY_FILE_NAME = 'run_summary.json';

export interface RunSummaryOptions {
  /** the summary file; wins over outputDir */
  path?: string | null;
  /** the bundle's output folder; the summary goes to `<outputDir>/run_summary.json` */
  outputDir?: string | null;
  /** sha256 of the merged config (see configHash in ../configHash.ts) */
  configHash?: string | null;
  /** config files, meta files and overrides of the run, recorded as given */
  invocation?: Record<string, unknown>;
  logger?: Logger;
  /** the wall clock, for `started_at` (tests pass a fixed one) */
  clock?: () => Date;
}

export interface RunSummary {
  status: 'running' | 'completed' | 'failed';
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  error?: unknown;
  invocation: Record<string, unknown>;
  config_sha256: string | null;
  versions: Record<string, string | null>;
  inputs: string[];
  outputs: string[];
  timings_ms: StageTimings;
  items: Array<{
    index: number;
    inputs: Record<string, string>;
    outputs: Record<string, string>;
    label_names?: Record<string, Record<string, string>>;
    empty_prompted_labels?: Record<string, number[]>;
    timings_ms: StageTimings;
  }>;
}

export class RunSummaryHandler implements Handler {
  readonly name = 'RunSummaryHandler';
  readonly file?: string;
  private readonly options: RunSummaryOptions;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly items: ItemRecord[] = [];
  private startedAt?: Date;
  private t0 = 0;
  /** whether the summary file has been written */
  written = false;

  constructor(options: RunSummaryOptions = {}) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? (() => new Date());
    const file = options.path ?? (options.outputDir ? path.join(options.outputDir, SUMMARY_FILE_NAME) : undefined);
    if (file) this.file = path.resolve(file);
  }

  onEvent(event: EngineEvent): void {
    switch (event.name) {
      case 'started':
        if (!this.startedAt) {
          this.startedAt = this.clock();
          this.t0 = performance.now();
        }
        return;
      case 'iteration_completed':
        this.items.push(event.state.items[event.state.items.length - 1]!);
        return;
      case 'completed':
        this.write('completed');
        return;
      case 'exception_raised':
        this.write('failed', event.error);
        return;
      default:
        return;
    }
  }

  /** The summary as it stands. */
  summary(status: RunSummary['status'], error?: unknown): RunSummary {
    const started = this.startedAt ?? this.clock();
    const totals: StageTimings = { preprocessing: 0, inference: 0, postprocessing: 0, total: 0 };
    for (const item of this.items) {
      for (const k of Object.keys(totals) as (keyof StageTimings)[]) totals[k] += item.timings[k];
    }
    return {
      status,
      started_at: started.toISOString(),
      ...(status !== 'running' ? { finished_at: this.clock().toISOString(), duration_ms: round(performance.now() - this.t0) } : {}),
      ...(error !== undefined ? { error: describeError(error) } : {}),
      invocation: this.options.invocation ?? {},
      config_sha256: this.options.configHash ?? null,
      versions: runtimeVersions(),
      inputs: unique(this.items.flatMap((i) => Object.values(i.inputs))),
      outputs: unique(this.items.flatMap((i) => Object.values(i.outputs))),
      timings_ms: roundTimings(totals),
      items: this.items.map((i) => ({
        index: i.index,
        inputs: i.inputs,
        outputs: i.outputs,
        ...(i.labelNames ? { label_names: i.labelNames } : {}),
        ...(i.emptyPromptedLabels ? { empty_prompted_labels: i.emptyPromptedLabels } : {}),
        timings_ms: roundTimings(i.timings),
      })),
    };
  }

  private write(status: RunSummary['status'], error?: unknown): void {
    if (!this.file) {
      this.logger.debug('run summary: no output_dir and no summary path, so no run_summary.json is written');
      return;
    }
    if (status === 'failed') {
      // a failed run creates no output folder just for its summary (a --summary_file the user named is written),
      // and a summary that cannot be written must not
      // replace the error that ended the run (an unwritable output folder failed SaveImaged first)
      if (!this.options.path && !existsSync(path.dirname(this.file))) {
        this.logger.debug(`run summary: ${path.dirname(this.file)} was never created, so no summary of the failed run is written`);
        return;
      }
      try {
        writeFileAtomic(this.file, JSON.stringify(this.summary(status, error), null, 2) + '\n', 'the run summary');
      } catch (e) {
        this.logger.warn(`the summary of the failed run could not be written: ${(e as Error).message}`);
        return;
      }
    } else {
      writeFileAtomic(this.file, JSON.stringify(this.summary(status, error), null, 2) + '\n', 'the run summary');
    }
    this.written = true;
    this.logger.info(`run summary: ${this.file}`);
  }
}

function describeError(error: unknown): unknown {
  if (error instanceof BundleError) return errorToJson(error);
  if (error instanceof BundleErrorList) return error.errors.map(errorToJson);
  return { message: error instanceof Error ? error.message : String(error) };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function roundTimings(t: StageTimings): StageTimings {
  return { preprocessing: round(t.preprocessing), inference: round(t.inference), postprocessing: round(t.postprocessing), total: round(t.total) };
}
