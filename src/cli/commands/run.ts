/**
 * `bundle run [run_id] --config_file ... [--meta_file ...] [--args_file f.json|yaml] [--init_id] [--run_id]
 * [--final_id] [--log_level] [--quiet] [--<id> <value> ...]`, with MONAI's option names. Everything heavy
 * (the registry with its transforms and networks) is imported inside the handler.
 */
import type { Argv, CommandModule } from 'yargs';
import { parseFileList, parseOverrideArgs } from '../../config/overrides.js';
import { BundleError, printable } from '../../errors/index.js';
import type { Logger } from '../../registry/ComponentEntry.js';
import { rejectMonaiOnlyOptions, splitPositionals, withConfigOptions, withMonaiOnlyOptions } from '../options.js';
import { DEFAULT_BUNDLE_ROOT, DEFAULT_CONFIG_FILE } from '../runReport.js';
import { DEFAULT_MAX_VOXELS, setVoxelBudget } from '../../util/limits.js';
import { installWriteGuard, WriteGuard } from '../../util/writeGuard.js';

interface RunArgs {
  args?: string[];
  run_id?: string | string[];
  config_file?: string;
  meta_file?: string;
  args_file?: string;
  init_id?: string;
  final_id?: string;
  workflow_type?: string;
  log_level?: string;
  quiet?: boolean;
  summary_file?: string;
  allow_outside_root?: boolean;
  expression_timeout?: number;
  expression_max_depth?: number;
  expression_max_chars?: number;
  expression_max_items?: number;
  preview?: string;
  summary?: boolean;
  'no-summary'?: boolean;
  json?: boolean;
  max_voxels?: number;
  allow_write_outside?: boolean;
  strict?: boolean;
}

export function runBuilder(yargs: Argv): Argv<RunArgs> {
  const shared = withMonaiOnlyOptions(withConfigOptions(yargs));
  // config_file may come from --args_file instead of the command line (yargs has no way to undo a demand)
  delete (shared as unknown as { getDemandedOptions(): Record<string, unknown> }).getDemandedOptions().config_file;
  return shared
      .positional('args', { type: 'string', array: true, describe: 'the section to run (default "run"), then overrides: --<id> <value> ...' })
      .option('run_id', { type: 'string', describe: 'the section to run (default "run"); same as the positional' })
      .option('args_file', { type: 'string', describe: 'JSON/YAML file of defaults: config_file, meta_file, run_id, init_id, final_id and overrides' })
      .option('init_id', { type: 'string', describe: 'the section run first (default "initialize"; absent: nothing)' })
      .option('final_id', { type: 'string', describe: 'the section run last (default "finalize"; absent: nothing)' })
      .option('workflow_type', { type: 'string', choices: ['infer', 'none'], describe: 'infer: check the inference properties first (default); none: no check' })
      .option('log_level', { alias: 'log-level', type: 'string', choices: [...LOG_LEVELS], default: 'info', describe: 'messages shown on stderr' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress and only warnings and errors' })
      .option('summary_file', { type: 'string', describe: 'where to write the run summary JSON (default <output_dir>/run_summary.json)' })
      .option('strict', { type: 'boolean', default: false, describe: 'fail (exit 1) when the run processed no items, e.g. an empty --input_dir' })
      .option('preview', { type: 'string', describe: 'write a PNG: axial, coronal and sagittal slices through the largest label of the first output' })
      .option('max_voxels', { type: 'number', default: DEFAULT_MAX_VOXELS, describe: 'the most values one image (or a grid made from it) may have, checked against headers before allocating' })
      .option('allow_write_outside', { type: 'boolean', default: false, describe: "let the bundle's config write outside the output folder given on the command line (or, with none, the bundle's folder and the current directory)" })
      // the label summary is on by default, so only --no-summary is worth listing
      .option('summary', { type: 'boolean', default: true, hidden: true })
      // boolean negation is off (a `--no-x` could be an override id), so the negated form is its own flag
      .option('no-summary', { type: 'boolean', default: false, describe: 'do not print the label summary (each label of every output: name, voxel count, volume)' })
      .example('$0 run', 'no config file: the shipped VISTA3D bundle (bundle/) on its sample CT, label prompt [3] (spleen)')
      .example('$0 run --preview spleen.png', 'the same, and a PNG of the result')
      .example('$0 run --config_file configs/inference.json', 'run the "run" section of a bundle')
      .example('$0 run --config_file configs/inference.json --input_dict "{\'image\': \'ct.nii.gz\'}" --output_dir out', 'with overrides')
      .example('$0 run --config_file configs/inference.json,configs/batch_inference.json --input_dir /data', 'several files merged')
      .epilogue(
    'Exit codes: 0 success, 1 the bundle failed (config or runtime error), 2 usage error, 3 internal error.',
  ) as unknown as Argv<RunArgs>;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [args..]',
  describe: 'Run a bundle workflow: its initialize, run and finalize sections',
  builder: runBuilder,
  handler: async (args) => {
    rejectMonaiOnlyOptions(args as unknown as Record<string, unknown>, 'run');
    const level = (args.log_level ?? 'info') as LogLevel;
    const quiet = args.quiet === true;
    // log lines go above the progress bar (one is created below unless --quiet), never into it
    let progress: { printAbove(text: string): void } | undefined;
    // --json: every stderr line is one JSON object (log lines and progress alike), for programs reading it
    const json = args.json === true;
    const stderrLine = json ? jsonLineWriter((t) => void process.stderr.write(t)) : undefined;
    const logger = cliLogger(
      quiet && LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf('warn') ? 'warn' : level,
      stderrLine ?? ((text) => (progress ? progress.printAbove(text) : void process.stderr.write(text))),
    );
    const { positionals, overrides: overrideTokens } = splitPositionals((args.args ?? []).map(String), 1);
    const overrides = parseOverrideArgs(overrideTokens);
    const runIds = [...positionals, ...[args.run_id ?? []].flat()].filter((v): v is string => typeof v === 'string');
    if (new Set(runIds).size > 1) {
      throw new BundleError('usage', `run_id is given twice, as "${runIds.join('" and "')}".`, { hint: 'name the section to run once' });
    }
    const runIdOption = runIds[0];
    // no config anywhere: the shipped bundle, with its root set so its sample and models are found from any folder
    const useDefaultBundle = args.config_file === undefined && !args.args_file;
    if (useDefaultBundle) {
      overrides.unshift({ id: 'bundle_root', value: DEFAULT_BUNDLE_ROOT, origin: { source: 'cli', detail: `default bundle ${DEFAULT_BUNDLE_ROOT}` } });
    }
    setVoxelBudget(args.max_voxels ?? DEFAULT_MAX_VOXELS);
    // for the whole command (one per process): the run's writes and the preview are checked against it
    installWriteGuard(new WriteGuard());
    const [{ runBundle }, { defaultRegistry }, { ProgressHandler }, { boundOptionsFromArgv }] = await Promise.all([
      import('../../engine/runBundle.js'),
      import('../registry.js'),
      import('../../engine/handlers/ProgressHandler.js'),
      import('../configArgs.js'),
    ]);
    const result = await runBundle({
      ...(args.config_file !== undefined ? { configFiles: parseFileList(args.config_file, 'config_file') } : {}),
      ...(useDefaultBundle ? { configFiles: [DEFAULT_CONFIG_FILE] } : {}),
      ...(args.meta_file !== undefined ? { metaFiles: parseFileList(args.meta_file, 'meta_file') } : {}),
      ...(args.args_file ? { argsFile: args.args_file } : {}),
      overrides,
      ...(runIdOption ? { runId: runIdOption } : {}),
      ...(args.init_id ? { initId: args.init_id } : {}),
      ...(args.final_id ? { finalId: args.final_id } : {}),
      ...(args.workflow_type ? { workflowType: args.workflow_type as 'infer' | 'none' } : {}),
      registry: await defaultRegistry(),
      logger,
      handlers: quiet ? [] : [(progress = new ProgressHandler(stderrLine ? { stream: { write: stderrLine }, interactive: false } : {}))],
      ...(args.summary_file ? { summaryPath: args.summary_file } : {}),
      confineWrites: args.allow_write_outside ? false : { files: args.preview ? [args.preview] : [] },
      loadOptions: boundOptionsFromArgv(args),
    });
    if (result.items === 0) {
      // an empty batch (empty folder, wrong suffix, "[]") is almost always a mistake: say so, fail if asked
      const message = 'the run processed no items: the dataset was empty (check --input_dir and the files\' suffix, or --input_dict)';
      if (args.strict) throw new BundleError('empty_input', `${message.charAt(0).toUpperCase()}${message.slice(1)}.`, { hint: 'without --strict this is a warning' });
      logger.warn(message);
    }
    if (!quiet) {
      const lines = [`done: ${result.items} item${result.items === 1 ? '' : 's'}`];
      if (result.outputs.length) lines.push('outputs:', ...result.outputs.map((f) => `  ${printable(f)}`));
      if (result.summaryFile) lines.push(`run summary: ${printable(result.summaryFile)}`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    const summary = args.summary !== false && !args['no-summary'] && !quiet;
    if (summary || args.preview) {
      const { reportOutputs } = await import('../runReport.js');
      await reportOutputs(result, { summary, preview: args.preview });
    }
    if (useDefaultBundle && !quiet) {
      // the figures above come from the shipped demo network: say so where a person reads them
      process.stdout.write(
        'note: bundle/models holds a small demo network with VISTA3D\'s interface, not the real VISTA3D weights;\n' +
          '      its masks follow CT intensity, not anatomy (see bundle/docs/README.md to use the real network)\n',
      );
    }
  },
};

/** Turns `label: message` lines into `{"level": label, "message": message}` lines (`progress` when unlabelled). */
export function jsonLineWriter(write: (text: string) => void): (text: string) => void {
  return (text) => {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const m = /^(debug|info|warning|error): ([\s\S]*)$/.exec(line);
      write(`${JSON.stringify(m ? { level: m[1], message: m[2] } : { level: 'progress', message: line })}\n`);
    }
  };
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Messages at `level` and above, on stderr, one line each: `warning: ...`. */
export function cliLogger(level: LogLevel, write: (text: string) => void = (t) => void process.stderr.write(t)): Logger {
  const min = LOG_LEVELS.indexOf(level);
  const at = (l: LogLevel, label: string) => (message: string) => {
    if (LOG_LEVELS.indexOf(l) >= min) write(`${label}: ${printable(message)}\n`);
  };
  return { debug: at('debug', 'debug'), info: at('info', 'info'), warn: at('warn', 'warning'), error: at('error', 'error') };
}
