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
}

/**
 * For commands that only look at a config (resolve, explain, check): `$glob` as in a run (it only reads
 * folder listings; imported on first call so that resolve loads no engine module), and `$run` a
 * `workflow_only` error, so that showing a workflow section never runs it.
 */
export function inspectionFunctions(): NonNullable<LoadConfigOptions['functions']> {
  return {
    run: {
      implementation: () => {
        throw new BundleError('workflow_only', '$run runs a component only inside `bundle run`.');
      },
    },
    glob: { implementation: async (folder: unknown, pattern: unknown) => (await import('../engine/glob.js')).globFiles(folder as string, pattern as string) },
  };
}

/** Without `registry`, the options carry only the builtins: pass the default registry to build any component. */
export function loadOptionsFromArgv(argv: ConfigArgv, overrideTokens: readonly string[], registry?: ComponentFactory): LoadConfigOptions {
  if (argv.config_file === undefined || argv.config_file.trim() === '') {
    throw new BundleError('usage', 'No config file was given.', { hint: 'pass --config_file <file.json> (or a list: a.json,b.json)' });
  }
  for (const [name, value, min] of [['expression_timeout', argv.expression_timeout, 1], ['expression_max_depth', argv.expression_max_depth, 1]] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value < min)) {
      throw new BundleError('usage', `--${name} must be a positive number.`, { hint: `for example --${name} ${name === 'expression_timeout' ? 5000 : 512}` });
    }
  }
  return {
    configFiles: parseFileList(argv.config_file, 'config_file'),
    metaFiles: argv.meta_file === undefined ? undefined : parseFileList(argv.meta_file, 'meta_file'),
    overrides: parseOverrideArgs(overrideTokens),
    registry: registry ?? builtinRegistry(),
    allowOutsideBundleRoot: argv.allow_outside_root ?? false,
    expressionTimeoutMs: argv.expression_timeout,
    expressionMaxDepth: argv.expression_max_depth,
    functions: inspectionFunctions(),
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
