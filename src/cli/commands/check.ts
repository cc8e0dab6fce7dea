/**
 * `bundle check`: loads, merges, expands macros, then checks every reference, every `_target_`, literal
 * arguments against their schemas and every expression's syntax, without building or evaluating anything.
 * All problems are reported at once.
 */
import type { CommandModule } from 'yargs';
import { BundleErrorList, printable } from '../../errors/index.js';
import { splitPositionals, withConfigOptions } from '../options.js';
import type { PositionalArgv } from './resolve.js';

export const checkCommand: CommandModule<object, PositionalArgv> = {
  command: 'check [overrides..]',
  describe: 'Check a config without running it: references, targets, literal arguments, expression syntax',
  builder: (y) => withConfigOptions(y.positional('overrides', { type: 'string', array: true, describe: 'overrides: --<id> <value> ...' })),
  handler: async (argv) => {
    const { overrides } = splitPositionals((argv.overrides ?? []).map(String), 0);
    const { loadFromArgv } = await import('../configArgs.js');
    const config = await loadFromArgv(argv, overrides);
    const problems = await config.check();
    if (problems.length > 0) throw new BundleErrorList(problems, `${problems.length} problem${problems.length === 1 ? '' : 's'} found by bundle check`);
    process.stdout.write(`ok: ${config.ids().length} ids checked, no problems (${printable(config.configFiles.join(', '))})\n`);
  },
};
