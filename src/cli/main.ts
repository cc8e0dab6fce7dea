#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BundleError, BundleErrorList, errorToJson, renderError, renderErrorList } from '../errors/index.js';
import { commands } from './commands/index.js';

/** Exit codes: 0 success, 1 bundle or runtime error, 2 usage error, 3 internal error (a bug). */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || process.env.BUNDLE_DEBUG === '1';
  const json = argv.includes('--json');
  let usageError: string | undefined;
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
    .fail((msg, err) => {
      if (err) throw err;
      usageError = msg;
    })
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100));
  try {
    await parser.parseAsync();
    if (usageError !== undefined) {
      process.stderr.write(`error[usage]: ${usageError}\n  hint: see \`bundle --help\`\n`);
      return 2;
    }
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
      `error[internal]: ${err?.message ?? String(e)}\n  hint: this is a bug in the interpreter; please report it with this output\n${err?.stack ?? ''}\n`,
    );
    return 3;
  }
}

main(hideBin(process.argv)).then((code) => {
  process.exitCode = code;
});
