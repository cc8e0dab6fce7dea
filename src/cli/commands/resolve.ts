/** `bundle resolve <id>`: the resolved value of an id ("" = the whole config) as JSON on stdout. */
import type { CommandModule } from 'yargs';
import { BundleError } from '../../errors/index.js';
import { splitPositionals, withConfigOptions } from '../options.js';
import type { ConfigArgv } from '../configArgs.js';
import type { BundleConfig } from '../../config/index.js';

/**
 * The whole config, top-level id by id; a workflow section (what calls `$run`) is shown unresolved, with a
 * note on stderr, because it runs only in `bundle run`.
 */
async function resolveRoot(config: BundleConfig, toPrintable: (v: unknown) => unknown): Promise<unknown> {
  const raw = config.raw('');
  // a root that is no dict (a list, a scalar, an empty file) has no sections to hold back: resolve it whole
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return toPrintable(await config.resolve(''));
  const root = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const unresolved: string[] = [];
  for (const key of Object.keys(root)) {
    try {
      out[key] = toPrintable(await config.resolve(key));
    } catch (e) {
      if (!(e instanceof BundleError) || e.kind !== 'workflow_only') throw e;
      out[key] = root[key];
      unresolved.push(key);
    }
  }
  if (unresolved.length) process.stderr.write(`note: ${unresolved.join(', ')} shown unresolved: ${unresolved.length === 1 ? 'it runs' : 'they run'} only in \`bundle run\`\n`);
  return out;
}

export interface PositionalArgv extends ConfigArgv {
  id?: string;
  overrides?: string[];
}

/** The id positional and the override tokens, wherever the user put the id among them. */
export function idAndOverrides(argv: PositionalArgv, command: string): { id: string; overrides: string[] } {
  const tokens = [argv.id, ...(argv.overrides ?? [])].filter((t): t is string => t !== undefined).map(String);
  const { positionals, overrides } = splitPositionals(tokens, 1);
  if (positionals.length === 0) {
    throw new BundleError('usage', `bundle ${command} needs the id to show.`, { hint: `write bundle ${command} <id> --config_file ... ("" for the whole config)` });
  }
  return { id: positionals[0]!, overrides };
}

export const resolveCommand: CommandModule<object, PositionalArgv> = {
  command: 'resolve [id] [overrides..]',
  describe: 'Print the resolved value of an id ("" for the whole config) as JSON',
  builder: (y) =>
    withConfigOptions(
      y
        .positional('id', { type: 'string', describe: 'the id to resolve, e.g. network_def or preprocessing::transforms::0 ("" = root)' })
        .positional('overrides', { type: 'string', array: true, describe: 'overrides: --<id> <value> ...' })
        .example('$0 resolve network_def --config_file configs/inference.json', '')
        .example("$0 resolve \"\" --config_file \"['configs/a.json','configs/b.yaml']\" --dataset#data '[]'", ''),
    ),
  handler: async (argv) => {
    const { id, overrides } = idAndOverrides(argv, 'resolve');
    const { loadFromArgv } = await import('../configArgs.js');
    const { toPrintable } = await import('../../config/describe.js');
    const config = await loadFromArgv(argv, overrides);
    const value = id === '' ? await resolveRoot(config, toPrintable) : toPrintable(await config.resolve(id));
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
};
