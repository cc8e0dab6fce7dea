#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BundleError, BundleErrorList, errorToJson, printable, renderError, renderErrorList } from '../errors/index.js';
import { closestNames } from '../util/closest.js';
import { commands } from './commands/index.js';

const HELP_OR_VERSION = ['-h', '--help', '-v', '-V', '--version'];
const COMMAND_NAMES = commands.map((c) => String(Array.isArray(c.command) ? c.command[0] : c.command).split(' ')[0]!);

/** Exit codes: 0 success, 1 bundle or runtime error, 2 usage error, 3 internal error (a bug). */
export async function main(given: string[]): Promise<number> {
  // -V is what many tools print their version with; one alias in --help is enough
  const argv = given[0] === '-V' ? ['--version', ...given.slice(1)] : given;
  const debug = argv.includes('--debug') || process.env.BUNDLE_DEBUG === '1';
  const json = argv.includes('--json');
  // Ctrl-C: one line saying so (JSON with --json), and the shell's usual 130
  // (a command that handles SIGINT itself, as serve and worker do to shut down cleanly, owns it)
  process.on('SIGINT', function interrupted() {
    if (process.listenerCount('SIGINT') > 1) return;
    process.stderr.write(json ? `${JSON.stringify({ kind: 'interrupted', message: 'interrupted' })}\n` : 'interrupted\n');
    process.exit(130);
  });
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
      const command = argv.find((a) => COMMAND_NAMES.includes(a));
      // an option's coerce rejected its value: yargs wraps it in a YError that keeps only the message
      if (err?.name === 'YError') throw new BundleError('usage', err.message, { hint: `see \`bundle ${command ? `${command} ` : ''}--help\`` });
      if (err) throw err;
      const unknown = /^Unknown command: (\S+)/.exec(msg ?? '')?.[1];
      const close = unknown ? closestNames(unknown, COMMAND_NAMES, 1) : [];
      throw new BundleError('usage', msg, {
        hint: close.length ? `did you mean \`bundle ${close[0]}\`? (see \`bundle --help\`)` : `see \`bundle ${command ? `${command} ` : ''}--help\``,
      });
    })
    .help()
    .alias('h', 'help')
    .version()
    .alias('v', 'version')
    .wrap(Math.min(110, process.stdout.columns || 100));
  try {
    if (!argv.some((a) => !a.startsWith('-') || HELP_OR_VERSION.includes(a))) {
      // no command: the list of commands is what the user needs, then the usage error
      process.stderr.write(`${await parser.getHelp()}\n\n`);
    }
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
    if (json) {
      process.stderr.write(`${JSON.stringify({ kind: 'internal', message: err?.message ?? String(e), stack: err?.stack })}\n`);
      return 3;
    }
    process.stderr.write(
      `error[internal]: ${printable(err?.message ?? String(e))}\n  hint: this is a bug in the interpreter; please report it with this output\n${err?.stack ?? ''}\n`,
    );
    return 3;
  }
}

main(hideBin(process.argv)).then((code) => {
  process.exitCode = code;
});
