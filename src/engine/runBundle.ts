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
import { readConfinement } from './glob.js';
import { RunSummaryHandler } from './handlers/RunSummaryHandler.js';
import { checkWriteTarget, confineWrites, folderWriteProblem, protectInput, removeStaleTempFiles } from '../util/writeGuard.js';
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
  /**
   * confine writes (of an installed WriteGuard, see util/writeGuard.ts) to the output folders given as
   * overrides, else the bundle's folder and the current directory, plus these files; false: no confinement
   */
  confineWrites?: { files: string[] } | false;
  /** the summary's path relative to `<output_dir>` (default run_summary.json); summaryPath wins */
  summaryName?: string;
  /**
   * Called once the config is loaded and checked, before anything runs, with the config's hash and the summary
   * file the run would write; returning false skips the run (the queue's worker skips finished jobs).
   */
  shouldRun?: (info: { configHash: string; summaryFile: string | null }) => boolean | Promise<boolean>;
  /** passed on to loadConfig */
  loadOptions?: Pick<LoadConfigOptions, 'allowOutsideBundleRoot' | 'expressionTimeoutMs' | 'expressionMaxDepth' | 'expressionMaxChars' | 'expressionMaxItems' | 'debugSink'>;
}

export interface RunBundleResult {
  config: BundleConfig;
  /** files written by the evaluators (volumes' meta.saved_to), in order */
  outputs: string[];
  /** items the evaluators processed */
  items: number;
  summaryFile?: string;
  /** true when shouldRun returned false: nothing ran and nothing was written */
  skipped?: boolean;
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

  const context: RunContext = {
    handlers: [...(options.handlers ?? [])],
    glob: readConfinement(configFiles, overrides, options.loadOptions?.allowOutsideBundleRoot === true),
  };
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

  const hash = configHash(config.raw(''));
  if (options.confineWrites) confineWrites(writeRoots(overrides, config.bundleRoot, [...options.confineWrites.files, ...(options.summaryPath ? [options.summaryPath] : [])]));
  for (const file of [...config.configFiles, ...config.metaFiles, ...(options.argsFile ? [options.argsFile] : [])]) protectInput(file);
  const outputDir = await outputDirOf(config);
  const summaryPath = options.summaryPath ?? (outputDir && options.summaryName ? path.join(outputDir, options.summaryName) : null);
  // before any network is loaded: a run that cannot write its results must not compute them first
  preflightWrites(outputDir, summaryPath);
  if (outputDir) {
    for (const file of removeStaleTempFiles(outputDir)) logger.info(`removed a temporary file a killed run left: ${file}`);
  }

  const summary = new RunSummaryHandler({
    path: summaryPath,
    outputDir: options.summaryPath ? null : outputDir,
    configHash: hash,
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
  if (options.shouldRun && !(await options.shouldRun({ configHash: hash, summaryFile: summary.file ?? null }))) {
    return { config, outputs: [], items: 0, skipped: true };
  }

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

/**
 * The confinement rule for untrusted bundles: a bundle's config may not send writes anywhere it likes (a
 * `$glob` can reach /etc). Writes stay under the output folders the user gave (overrides of any `output_dir`
 * id, on the command line or in the args file); with none, under the bundle's folder, a `bundle_root` the user
 * gave, and the current directory (where MONAI's `"bundle_root": "."` puts outputs). Files the user named
 * (summary, preview) are allowed as well.
 */
function writeRoots(overrides: Override[], bundleFolder: string, files: string[]): string[] {
  const lastSegment = (id: string) => id.replace(/^\+/, '').split(/::|#/).pop();
  const given = (name: string) =>
    overrides.filter((o) => lastSegment(o.id) === name && typeof o.value === 'string' && o.value !== '' && !/^[$@%]/.test(o.value)).map((o) => path.resolve(o.value as string));
  const outputDirs = given('output_dir');
  const roots = outputDirs.length ? outputDirs : [bundleFolder, process.cwd(), ...given('bundle_root')];
  return [...roots, ...files.map((f) => path.resolve(f))];
}

/**
 * Checks, without creating anything, that the output folder and the summary file can be written: no file in
 * the folder path, a writable existing ancestor, not a special file system, inside the write roots.
 */
function preflightWrites(outputDir: string | null, summaryPath: string | null): void {
  if (outputDir) {
    checkWriteTarget(outputDir, 'into the output folder', { folder: true });
    const problem = folderWriteProblem(outputDir);
    if (problem) {
      throw new BundleError('write_failed', `The output folder ${outputDir} cannot be written: ${problem}.`, {
        hint: 'choose a writable output folder with --output_dir <folder>',
        location: { file: outputDir, id: 'output_dir' },
      });
    }
  }
  if (summaryPath) {
    const file = checkWriteTarget(summaryPath, 'the run summary');
    const problem = folderWriteProblem(path.dirname(file));
    if (problem) {
      throw new BundleError('write_failed', `The run summary ${file} cannot be written: ${problem}.`, {
        hint: 'choose another --summary_file',
        location: { file },
      });
    }
  }
}

/** The config's `output_dir` when it resolves to a string (the usual MONAI bundle item). */
async function outputDirOf(config: BundleConfig): Promise<string | null> {
  if (!config.has('output_dir')) return null;
  const value = await config.resolve('output_dir');
  return typeof value === 'string' && value !== '' ? path.resolve(value) : null;
}
