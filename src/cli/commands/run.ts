/**
 * `bundle run [run_id] --config_file ... [--meta_file ...] [--args_file f.json|yaml] [--init_id] [--run_id]
 * [--final_id] [--log-level] [--quiet] [--<id> <value> ...]`, with MONAI's option names. Everything heavy
 * (the registry with its transforms and networks) is imported inside the handler.
 */
import type { Argv, CommandModule } from 'yargs';
import { BundleError } from '../../errors/index.js';
import { parseCliValue, parseFileList } from '../../config/overrides.js';
import type { Logger } from '../../registry/ComponentEntry.js';

interface RunArgs {
  run_id?: string;
  config_file?: string | string[];
  meta_file?: string | string[];
  args_file?: string;
  init_id?: string;
  final_id?: string;
  workflow_type?: string;
  'log-level'?: string;
  quiet?: boolean;
  summary_file?: string;
  allow_outside_root?: boolean;
  [key: string]: unknown;
}

export const RUN_OPTIONS = [
  'run_id', 'config_file', 'meta_file', 'args_file', 'init_id', 'final_id', 'workflow_type', 'log-level', 'quiet',
  'summary_file', 'allow_outside_root',
] as const;

export function runBuilder(yargs: Argv): Argv<RunArgs> {
  return yargs
    .positional('run_id', { type: 'string', describe: 'the section to run (default "run"); same as --run_id' })
    .option('config_file', { type: 'string', describe: 'config file(s): a path, a.json,b.json, or "[\'a.json\',\'b.json\']"; merged in order' })
    .option('meta_file', { type: 'string', describe: 'metadata file(s); default: metadata.json beside the first config file' })
    .option('args_file', { type: 'string', describe: 'JSON/YAML file of defaults: config_file, meta_file, run_id, init_id, final_id and overrides' })
    .option('init_id', { type: 'string', describe: 'the section run first (default "initialize"; absent: nothing)' })
    .option('final_id', { type: 'string', describe: 'the section run last (default "finalize"; absent: nothing)' })
    .option('workflow_type', { type: 'string', choices: ['infer', 'none'], describe: 'infer: check the inference properties first (default); none: no check' })
    .option('log-level', { type: 'string', choices: [...LOG_LEVELS], default: 'info', describe: 'messages shown on stderr' })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress and only warnings and errors' })
    .option('summary_file', { type: 'string', describe: 'where to write the run summary JSON (default <output_dir>/run_summary.json)' })
    .option('allow_outside_root', { type: 'boolean', default: false, describe: 'let macros read files outside the bundle root' })
    .epilogue(
      `${OVERRIDE_HELP}\n\nExit codes: 0 success, 1 the bundle failed (config or runtime error), 2 usage error, 3 internal error.`,
    )
    .example('$0 run --config_file configs/inference.json', 'run the "run" section of a bundle')
    .example('$0 run --config_file configs/inference.json --input_dict "{\'image\': \'ct.nii.gz\'}" --output_dir out', 'with overrides')
    .example('$0 run --config_file "[\'configs/inference.json\',\'configs/batch_inference.json\']" --input_dir /data', 'several files merged') as Argv<RunArgs>;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [run_id]',
  describe: 'Run a bundle workflow: its initialize, run and finalize sections',
  builder: runBuilder,
  handler: async (args) => {
    const level = (args['log-level'] ?? 'info') as LogLevel;
    const quiet = args.quiet === true;
    const logger = cliLogger(quiet && LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf('warn') ? 'warn' : level);
    const overrides = collectOverrides(args, RUN_OPTIONS);
    const runIds = [args.run_id].flat().filter((v): v is string => typeof v === 'string');
    if (new Set(runIds).size > 1) {
      throw new BundleError('usage', `run_id is given twice, as "${runIds.join('" and "')}".`, { hint: 'name the section to run once' });
    }
    const runIdOption = runIds[0];
    const [{ runBundle }, { defaultRegistry }, { ProgressHandler }] = await Promise.all([
      import('../../engine/runBundle.js'),
      import('../registry.js'),
      import('../../engine/handlers/ProgressHandler.js'),
    ]);
    const result = await runBundle({
      ...(args.config_file !== undefined ? { configFiles: parseFileOption(args.config_file, 'config_file') } : {}),
      ...(args.meta_file !== undefined ? { metaFiles: parseFileOption(args.meta_file, 'meta_file') } : {}),
      ...(args.args_file ? { argsFile: args.args_file } : {}),
      overrides,
      ...(runIdOption ? { runId: runIdOption } : {}),
      ...(args.init_id ? { initId: args.init_id } : {}),
      ...(args.final_id ? { finalId: args.final_id } : {}),
      ...(args.workflow_type ? { workflowType: args.workflow_type as 'infer' | 'none' } : {}),
      registry: await defaultRegistry(),
      logger,
      handlers: quiet ? [] : [new ProgressHandler()],
      ...(args.summary_file ? { summaryPath: args.summary_file } : {}),
      loadOptions: { allowOutsideBundleRoot: args.allow_outside_root === true },
    });
    if (!quiet) {
      const lines = [`done: ${result.items} item${result.items === 1 ? '' : 's'}`];
      if (result.outputs.length) lines.push('outputs:', ...result.outputs.map((f) => `  ${f}`));
      if (result.summaryFile) lines.push(`run summary: ${result.summaryFile}`);
      process.stdout.write(lines.join('\n') + '\n');
    }
  },
};

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Messages at `level` and above, on stderr, one line each: `warning: ...`. */
export function cliLogger(level: LogLevel, write: (text: string) => void = (t) => void process.stderr.write(t)): Logger {
  const min = LOG_LEVELS.indexOf(level);
  const at = (l: LogLevel, label: string) => (message: string) => {
    if (LOG_LEVELS.indexOf(l) >= min) write(`${label}: ${message}\n`);
  };
  return { debug: at('debug', 'debug'), info: at('info', 'info'), warn: at('warn', 'warning'), error: at('error', 'error') };
}

export const OVERRIDE_HELP = `Overrides: any other --<id> <value> (or --<id>=<value>) sets that config id before resolution, e.g.
  --output_dir /tmp/out   --inferer::roi_size "[64,64,64]"   --network_def#execution_providers "['cuda','cpu']"
A value that parses as JSON is that JSON (5, true, null, [1,2], {"k":1}); True/False/None and Python-style
'quoted' list/dict literals are accepted; anything else is the string itself. --+<id> <value> merges a dict or
list into the existing one. Values from --args_file come first, then the command line's.`;

/** `--config_file` / `--meta_file`: one path, a comma-separated list or a list literal (repeats are joined). */
export function parseFileOption(value: string | string[], option: string): string[] {
  return [value].flat().flatMap((v) => parseFileList(String(v), option));
}

/**
 * The overrides among the parsed arguments: every option the command does not declare, in the order given.
 * An override without a value is an `invalid_override` error.
 */
export function collectOverrides(args: Record<string, unknown>, known: readonly string[]): Array<{ id: string; value: unknown; origin: { source: 'cli'; detail: string } }> {
  const skip = new Set<string>([...known, '_', '$0', 'debug', 'json', 'help', 'version']);
  const out: Array<{ id: string; value: unknown; origin: { source: 'cli'; detail: string } }> = [];
  for (const [id, raw] of Object.entries(args)) {
    if (skip.has(id)) continue;
    for (const v of [raw].flat()) {
      if (typeof v !== 'string') {
        throw new BundleError('invalid_override', `The override --${id} has no value.`, {
          hint: `write --${id} <value> or --${id}=<value>; see \`bundle run --help\` for the value grammar`,
          location: { origin: { source: 'cli', detail: `--${id}` } },
        });
      }
      out.push({ id, value: parseCliValue(v), origin: { source: 'cli', detail: `--${id} ${v}` } });
    }
  }
  return out;
}
