/** From parsed CLI arguments to loadConfig options (and a loaded config). */
import type { BundleConfig, LoadConfigOptions } from '../config/index.js';
import { loadConfig } from '../config/index.js';
import { parseFileList, parseOverrideArgs } from '../config/overrides.js';
import type { ComponentFactory } from '../config/types.js';
import { BundleError } from '../errors/index.js';
import { addLayerEntriesIfNeeded, builtinRegistry } from './lazyRegistry.js';

export interface ConfigArgv {
  config_file?: string;
  meta_file?: string;
  allow_outside_root?: boolean;
  expression_timeout?: number;
  expression_max_depth?: number;
  expression_max_chars?: number;
  expression_max_items?: number;
}

const EXAMPLES = { expression_timeout: 5000, expression_max_depth: 512, expression_max_chars: 10_000_000, expression_max_items: 1_000_000 };

/** The root rule and the expression bounds from the command line, checked. */
export function boundOptionsFromArgv(argv: ConfigArgv): Pick<LoadConfigOptions, 'allowOutsideBundleRoot' | 'expressionTimeoutMs' | 'expressionMaxDepth' | 'expressionMaxChars' | 'expressionMaxItems'> {
  for (const name of Object.keys(EXAMPLES) as Array<keyof typeof EXAMPLES>) {
    const value = argv[name];
    if (value !== undefined && (!Number.isFinite(value) || value < 1)) {
      throw new BundleError('usage', `--${name} must be a positive number.`, { hint: `for example --${name} ${EXAMPLES[name]}` });
    }
  }
  return {
    allowOutsideBundleRoot: argv.allow_outside_root ?? false,
    ...(argv.expression_timeout !== undefined ? { expressionTimeoutMs: argv.expression_timeout } : {}),
    ...(argv.expression_max_depth !== undefined ? { expressionMaxDepth: argv.expression_max_depth } : {}),
    ...(argv.expression_max_chars !== undefined ? { expressionMaxChars: argv.expression_max_chars } : {}),
    ...(argv.expression_max_items !== undefined ? { expressionMaxItems: argv.expression_max_items } : {}),
  };
}

/**
 * For commands that only look at a config (resolve, explain, check): `$glob` as in a run (it only reads
 * folder listings; imported on first call so that resolve loads no engine module), and `$run` a
 * `workflow_only` error, so that showing a workflow section never runs it.
 */
export function inspectionFunctions(confinement: Parameters<typeof readConfinementLazy>[0]): NonNullable<LoadConfigOptions['functions']> {
  return {
    run: {
      implementation: () => {
        throw new BundleError('workflow_only', '$run runs a component only inside `bundle run`.');
      },
    },
    glob: {
      implementation: async (folder: unknown, pattern: unknown) => (await import('../engine/glob.js')).globFiles(folder as string, pattern as string, await readConfinementLazy(confinement)),
    },
    load_decathlon_datalist: {
      implementation: async (file: unknown, ...rest: unknown[]) => {
        const { datalistArguments, loadDecathlonDatalist } = await import('../engine/datalist.js');
        return loadDecathlonDatalist(file, datalistArguments(rest), await readConfinementLazy(confinement));
      },
    },
  };
}

/** The same root rule as `bundle run` (engine/glob.ts), its module loaded only when an expression reads. */
async function readConfinementLazy(given: { configFiles: string[]; overrides: ReadonlyArray<{ value: unknown }>; allowOutside: boolean }) {
  return (await import('../engine/glob.js')).readConfinement(given.configFiles, given.overrides, given.allowOutside);
}

/** Without `registry`, the options carry only the builtins: pass the default registry to build any component. */
export function loadOptionsFromArgv(argv: ConfigArgv, overrideTokens: readonly string[], registry?: ComponentFactory): LoadConfigOptions {
  if (argv.config_file === undefined || argv.config_file.trim() === '') {
    throw new BundleError('usage', 'No config file was given.', { hint: 'pass --config_file <file.json> (or a list: a.json,b.json)' });
  }
  const bounds = boundOptionsFromArgv(argv);
  const configFiles = parseFileList(argv.config_file, 'config_file');
  const overrides = parseOverrideArgs(overrideTokens);
  return {
    configFiles,
    metaFiles: argv.meta_file === undefined ? undefined : parseFileList(argv.meta_file, 'meta_file'),
    overrides,
    registry: registry ?? builtinRegistry(),
    ...bounds,
    functions: inspectionFunctions({ configFiles, overrides, allowOutside: bounds.allowOutsideBundleRoot === true }),
  };
}

/** Without `registry`, components come from the default registry (its layers loaded only if the config names one). */
export async function loadFromArgv(argv: ConfigArgv, overrideTokens: readonly string[], registry?: ComponentFactory): Promise<BundleConfig> {
  if (registry) return loadConfig(loadOptionsFromArgv(argv, overrideTokens, registry));
  const lazy = builtinRegistry();
  const config = await loadConfig(loadOptionsFromArgv(argv, overrideTokens, lazy));
  await addLayerEntriesIfNeeded(lazy, config);
  return config;
}
