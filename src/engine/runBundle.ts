/**
 * What `bundle run` does, without the command line: load the config (args file values first, then the
 * caller's overrides), check the workflow, run initialize/run/finalize, and report where outputs went.
 * The run's own handlers (progress, run summary) reach every evaluator started by `$run`.
 */
import path from 'node:path';
import { BundleError, type Origin } from '../errors/index.js';
import { loadConfig, type BundleConfig, type ComponentFactory, type LoadConfigOptions } from '../config/index.js';
import { loadConfigFile } from '../config/load.js';
import { OriginTable } from '../config/provenance.js';
import { type Logger, silentLogger } from '../registry/ComponentEntry.js';
import { configHash } from './configHash.js';
import type { Handler } from './events.js';
import { engineFunctions, type RunContext } from './functions.js';
import { RunSummaryHandler } from './handlers/RunSummaryHandler.js';
import { checkInputDictKeys } from './inputKeys.js';
import { INFER_PROPERTIES } from './properties.js';
import { Workflow } from './Workflow.js';

export interface Override {
  id: string;
  value: unknown;
  origin?: Origin;
}

export interface RunBundleOptions {
  configFiles?: string[];
  metaFiles?: string[];
  /** a JSON/YAML file of defaults: config_file, meta_file, run_id, init_id, final_id, and overrides */
  argsFile?: string;
  overrides?: Override[];
  initId?: string;
  runId?: string;
  finalId?: string;
  /** "infer" (default) checks the inference properties; "none" skips the check */
  workflowType?: 'infer' | 'none';
  registry: ComponentFactory;
  logger?: Logger;
  /** extra handlers for every evaluator (the CLI's progress handler) */
  handlers?: Handler[];
  /** the run summary file; default `<output_dir>/run_summary.json` when the config has an output_dir */
  summaryPath?: string;
  /** passed on to loadConfig */
  loadOptions?: Pick<LoadConfigOptions, 'allowOutsideBundleRoot' | 'expressionTimeoutMs' | 'expressionMaxDepth' | 'debugSink'>;
}

export interface RunBundleResult {
  config: BundleConfig;
  /** files written by the evaluators (volumes' meta.saved_to), in order */
  outputs: string[];
  /** items the evaluators processed */
  items: number;
  summaryFile?: string;
}

const ARGS_FILE_KEYS = ['config_file', 'meta_file', 'run_id', 'init_id', 'final_id', 'logging_file', 'workflow_type'] as const;
type ArgsFileKey = (typeof ARGS_FILE_KEYS)[number];

/** MONAI's args_file: named run options and, for every other key, an override (applied before the CLI's). */
export function readArgsFile(file: string): { options: Partial<Record<ArgsFileKey, unknown>>; overrides: Override[] } {
  const origins = new OriginTable();
  const loaded = loadConfigFile(path.resolve(file), origins);
  const value = loaded.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BundleError('usage', `The args file ${file} must hold a dict of option names and values.`, { location: { file } });
  }
  const options: Partial<Record<ArgsFileKey, unknown>> = {};
  const overrides: Override[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if ((ARGS_FILE_KEYS as readonly string[]).includes(key)) options[key as ArgsFileKey] = v;
    else overrides.push({ id: key, value: v, origin: origins.get(value as object, key) ?? { source: 'file', file } });
  }
  return { options, overrides };
}

function fileList(value: unknown, option: string, file: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new BundleError('usage', `"${option}" in the args file must be a path or a list of paths.`, { location: { file, path: `/${option}` } });
}

function optionalString(value: unknown, option: string, file: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new BundleError('usage', `"${option}" in the args file must be a string.`, { location: { file, path: `/${option}` } });
}

export async function runBundle(options: RunBundleOptions): Promise<RunBundleResult> {
  const logger = options.logger ?? silentLogger;
  let { configFiles, metaFiles, initId, runId, finalId, workflowType } = options;
  let overrides = options.overrides ?? [];
  if (options.argsFile) {
    const file = options.argsFile;
    const args = readArgsFile(file);
    configFiles ??= fileList(args.options.config_file, 'config_file', file);
    metaFiles ??= fileList(args.options.meta_file, 'meta_file', file);
    runId ??= optionalString(args.options.run_id, 'run_id', file);
    initId ??= optionalString(args.options.init_id, 'init_id', file);
    finalId ??= optionalString(args.options.final_id, 'final_id', file);
    workflowType ??= optionalString(args.options.workflow_type, 'workflow_type', file) as RunBundleOptions['workflowType'];
    if (args.options.logging_file !== undefined) logger.warn('logging_file in the args file is ignored: use --log-level');
    overrides = [...args.overrides, ...overrides];
  }
  if (!configFiles || configFiles.length === 0) {
    throw new BundleError('usage', 'No config file was given.', { hint: 'pass --config_file <file.json> (or config_file in --args_file)' });
  }
  if (workflowType !== undefined && workflowType !== 'infer' && workflowType !== 'none') {
    throw new BundleError('usage', `workflow_type must be "infer" or "none", not ${JSON.stringify(workflowType)}.`);
  }

  const context: RunContext = { handlers: [...(options.handlers ?? [])] };
  const config = await loadConfig({
    ...options.loadOptions,
    configFiles,
    ...(metaFiles ? { metaFiles } : {}),
    overrides,
    registry: options.registry,
    functions: engineFunctions(context),
    logger,
  });

  const workflow = new Workflow(config, {
    ...(initId ? { initId } : {}),
    ...(runId ? { runId } : {}),
    ...(finalId ? { finalId } : {}),
    properties: workflowType === 'none' ? null : INFER_PROPERTIES,
    logger,
  });
  workflow.check();
  await checkInputDictKeys(config);

  const summary = new RunSummaryHandler({
    path: options.summaryPath ?? null,
    outputDir: options.summaryPath ? null : await outputDirOf(config),
    configHash: configHash(config.raw('')),
    invocation: {
      config_file: config.configFiles,
      meta_file: config.metaFiles,
      ...(options.argsFile ? { args_file: path.resolve(options.argsFile) } : {}),
      overrides: overrides.map((o) => ({ id: o.id, value: o.value })),
      init_id: workflow.initId,
      run_id: workflow.runId,
      final_id: workflow.finalId,
    },
    logger,
  });
  context.handlers.push(summary);

  await workflow.initialize();
  await workflow.run();
  await workflow.finalize();

  const record = summary.summary('completed');
  return {
    config,
    outputs: record.outputs,
    items: record.items.length,
    ...(summary.file && summary.written ? { summaryFile: summary.file } : {}),
  };
}

/** The config's `output_dir` when it resolves to a string (the usual MONAI bundle item). */
async function outputDirOf(config: BundleConfig): Promise<string | null> {
  if (!config.has('output_dir')) return null;
  const value = await config.resolve('output_dir');
  return typeof value === 'string' && value !== '' ? path.resolve(value) : null;
}
