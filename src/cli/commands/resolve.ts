/** `bundle resolve <id>`: the resolved value of an id ("" = the whole config) as JSON on stdout. */
import type { CommandModule } from 'yargs';
import { BundleError } from '../../errors/index.js';
import { splitPositionals, withConfigOptions } from '../options.js';
import type { ConfigArgv } from '../configArgs.js';

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
    const value = await config.resolve(id);
    process.stdout.write(`${JSON.stringify(toPrintable(value), null, 2)}\n`);
  },
};
