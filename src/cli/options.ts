/**
 * Options shared by every command that loads a config (resolve, explain, check, run), declared as data,
 * and the collection of `--<id> <value>` overrides from the arguments yargs does not know.
 */
import type { Argv, Options } from 'yargs';
import { BundleError } from '../errors/index.js';

/** A yargs `coerce` for a positive whole-number option: rejected while parsing, before anything loads. */
function positiveInteger(name: string, example: number): (value: unknown) => number {
  return (value) => {
    const n = Number(value);
    if (typeof value === 'boolean' || String(value).trim() === '' || !Number.isInteger(n) || n < 1) {
      // yargs keeps only the message of a coerce error (main.ts makes it a usage error), so it carries the example
      throw new BundleError('usage', `--${name} must be a positive whole number (for example --${name} ${example}), not ${Number.isNaN(value) ? 'text' : JSON.stringify(String(value))}.`);
    }
    return n;
  };
}

export const configOptions = {
  config_file: {
    type: 'string',
    describe: "config file(s): one path, a comma-separated list (a.json,b.json) or a list literal \"['a.json','b.json']\"; merged in order",
    demandOption: 'give the config file(s) with --config_file',
  },
  meta_file: {
    type: 'string',
    describe: 'metadata file(s), same forms as --config_file; default: metadata.json beside the first config file',
  },
  allow_outside_root: {
    type: 'boolean',
    default: false,
    describe: 'allow "%file::id" macros to read files outside the bundle root',
  },
  expression_timeout: {
    type: 'number',
    default: 1000,
    coerce: positiveInteger('expression_timeout', 5000),
    describe: 'time bound of one expression evaluation, in milliseconds',
  },
  expression_max_depth: {
    type: 'number',
    default: 256,
    coerce: positiveInteger('expression_max_depth', 512),
    describe: 'recursion-depth bound of one expression evaluation',
  },
  expression_max_chars: {
    type: 'number',
    default: 1_000_000,
    describe: 'longest string one expression step may build (all steps of an evaluation together: 16 times this)',
  },
  expression_max_items: {
    type: 'number',
    default: 100_000,
    describe: 'longest list one expression step may build (all steps of an evaluation together: 16 times this)',
  },
} satisfies Record<string, Options>;

export const OVERRIDE_HELP = `Overrides: any other --<id> <value> (or --<id>=<value>) sets that id after the files are merged,
in the order given; ids use "::" or "#"; a "+" before the id merges (--+a '[3]' appends to the list a).
The id must exist in a config file (or be an argument of an existing component); "new:" adds one on
purpose (--new:my_threshold 0.5).
Values: text that parses as JSON is that JSON (5, true, null, [1,2], {"k":1}); True/False/None and
Python-style list/dict literals ("['a','b']", "{'k': None}") are accepted too; anything else is the
string itself (/data/x.nii.gz, "$@a & 'x'", %other.json::net, a,b).
Examples:
  --network_def::in_channels 2       sets a number
  --dataset#data "[{'image': 'a.nii.gz'}]"
  --ckpt None                        sets null
  --output_dir=/tmp/out              sets a string`;

/**
 * Adds the shared options to a command whose positional list ends with `[overrides..]`: unknown options
 * are kept as arguments, in order, so that parseOverrideArgs sees them as written.
 */
export function withConfigOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .options(configOptions)
    .parserConfiguration({
      'unknown-options-as-args': true,
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
    })
    .epilogue(OVERRIDE_HELP) as unknown as Argv<T>;
}

/** Splits the positional tokens into the command's own positionals and the override tokens. */
export function splitPositionals(tokens: readonly string[], positionalCount: number): { positionals: string[]; overrides: string[] } {
  const positionals: string[] = [];
  const overrides: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith('--') && t.length > 2) {
      overrides.push(t);
      if (!t.includes('=') && i + 1 < tokens.length && !tokens[i + 1]!.startsWith('--')) overrides.push(tokens[++i]!);
    } else if (positionals.length < positionalCount) positionals.push(t);
    else overrides.push(t);
  }
  return { positionals, overrides };
}

/** MONAI option names with no meaning here: declared (hidden) so they are not taken for overrides, then refused. */
export const MONAI_ONLY_OPTIONS: Record<string, string> = {
  logging_file: 'logging is configured with --log_level (and --json); send stderr to a file to keep it: 2> run.log',
  tracking: 'experiment tracking (MLflow) is not available; <output_dir>/run_summary.json records inputs, outputs, timings and the config hash',
};

export function withMonaiOnlyOptions<T>(y: Argv<T>): Argv<T> {
  for (const name of Object.keys(MONAI_ONLY_OPTIONS)) y = y.option(name, { type: 'string', hidden: true }) as Argv<T>;
  return y;
}

/** A usage error for the first MONAI-only option given. */
export function rejectMonaiOnlyOptions(argv: Record<string, unknown>, command: string): void {
  for (const [name, hint] of Object.entries(MONAI_ONLY_OPTIONS)) {
    if (argv[name] !== undefined) throw new BundleError('usage', `bundle ${command} does not take MONAI's --${name}.`, { hint });
  }
}
