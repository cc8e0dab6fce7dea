/**
 * `bundle explain <id>`: the raw value, the resolved value (or the error resolving it), where it was set
 * and which layers it overrode, and what it references and is referenced by.
 */
import type { CommandModule } from 'yargs';
import { BundleError, formatOrigin, renderError, type Origin } from '../../errors/index.js';
import { withConfigOptions } from '../options.js';
import { idAndOverrides, type PositionalArgv } from './resolve.js';

export const explainCommand: CommandModule<object, PositionalArgv> = {
  command: 'explain [id] [overrides..]',
  describe: 'Show an id: raw and resolved value, where it was set, what it overrode, references both ways',
  builder: (y) =>
    withConfigOptions(
      y
        .positional('id', { type: 'string', describe: 'the id to explain ("" = root)' })
        .positional('overrides', { type: 'string', array: true, describe: 'overrides: --<id> <value> ...' }),
    ),
  handler: async (argv) => {
    const { id, overrides } = idAndOverrides(argv, 'explain');
    const { loadFromArgv } = await import('../configArgs.js');
    const { toPrintable } = await import('../../config/describe.js');
    const { formatId, parseId } = await import('../../config/ids.js');
    const config = await loadFromArgv(argv, overrides);
    const raw = config.raw(id);
    const lines = [`id: ${formatId(parseId(id)) || '<root>'}`, `raw: ${indent(JSON.stringify(raw, null, 2))}`];
    let failure: BundleError | undefined;
    try {
      lines.push(`resolved: ${indent(JSON.stringify(toPrintable(await config.resolve(id)), null, 2))}`);
    } catch (e) {
      if (!(e instanceof BundleError)) throw e;
      if (e.kind === 'workflow_only') lines.push('resolved: (not here: a workflow section runs only in `bundle run`)');
      else {
        failure = e;
        lines.push(`resolved: (fails)\n${indent(renderError(e), true)}`);
      }
    }
    const origin = config.origin(id);
    lines.push(`set at: ${origin ? formatOrigin(origin) : 'unknown'}`);
    for (let o: Origin | undefined = origin?.overrode; o; o = o.overrode) lines.push(`  overrode: ${formatOrigin(o)}`);
    const refs = config.references(id);
    const referrers = config.referrers(id);
    lines.push(`references: ${refs.length ? refs.map((r) => r || '<root>').join(', ') : '(none)'}`);
    lines.push(`referenced by: ${referrers.length ? referrers.join(', ') : '(none)'}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (failure) process.exitCode = failure.exitCode;
  },
};

function indent(text: string, all = false): string {
  return text.split('\n').map((l, i) => (i === 0 && !all ? l : `  ${l}`)).join('\n');
}
