#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BundleError, BundleErrorList, errorToJson, printable, renderError, renderErrorList } from '../errors/index.js';
import { commands } from './commands/index.js';

/** Exit codes: 0 success, 1 bundle or runtime error, 2 usage error, 3 internal error (a bug). */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || process.env.BUNDLE_DEBUG === '1';
  const json = argv.includes('--json');
  const parser = yargs(argv)
    .scriptName('bundle')
    .usage('$0 <command> [options]\n\nRun and inspect MONAI-style bundles.')
    .command(commands)
    .demandCommand(1, 'Give a command; see the list above.')
    .option('debug', { type: 'boolean', describe: 'print cause chains and stack traces with errors', global: true })
    .option('json', { type: 'boolean', describe: 'print errors as JSON on stderr', global: true })
    .strictCommands()
    .parserConfiguration({ 'camel-case-expansion': false, 'dot-notation': false, 'parse-numbers': false, 'parse-positional-numbers': false })
    .exitProcess(false)
    // throwing (not recording) stops yargs before the command's handler runs with arguments it rejected
    .fail((msg, err) => {
      if (err) throw err;
      const names = commands.map((c) => String(Array.isArray(c.command) ? c.command[0] : c.command).split(' ')[0]);
      const command = argv.find((a) => names.includes(a));
      throw new BundleError('usage', msg, { hint: `see \`bundle ${command ? `${command} ` : ''}--help\`` });
    })
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100));
  try {
    await parser.parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof BundleError) {
      process.stderr.write((json ? JSON.stringify(errorToJson(e)) : renderError(e, { verbose: debug })) + '\n');
      return e.exitCode;
    }
    if (e instanceof BundleErrorList) {
      process.stderr.write(
        (json ? JSON.stringify(e.errors.map(errorToJson)) : renderErrorList(e, { verbose: debug })) + '\n',
      );
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(
      `error[internal]: ${printable(err?.message ?? String(e))}\n  hint: this is a bug in the interpreter; please report it with this output\n${err?.stack ?? ''}\n`,
    );
    return 3;
  }
}

main(hideBin(process.argv)).then((code) => {
  process.exitCode = code;
});
