import { expect } from 'chai';
import { bundleCli } from './bundleCli.js';

/** Command lines yargs rejects: one usage error (exit 2) and a pointer to the right --help, never a crash. */
const CASES: Array<{ name: string; args: string[]; message: RegExp; hint: string }> = [
  { name: 'no command', args: [], message: /^error\[usage\]: Give a command/, hint: 'see `bundle --help`' },
  { name: 'an unknown command', args: ['frobnicate'], message: /^error\[usage\]: Unknown command: frobnicate/, hint: 'see `bundle --help`' },
  { name: 'a misspelled command', args: ['runn'], message: /^error\[usage\]: Unknown command: runn/, hint: 'did you mean `bundle run`?' },
  ...(['abc', '-1', '0', '2.5'] as const).flatMap((value) =>
    (['run', 'check'] as const).map((command) => ({
      name: `${command} --expression_timeout ${value} (rejected while parsing, before any file is read)`,
      args: [command, '--expression_timeout', value, '--config_file', 'missing.json'],
      message: /^error\[usage\]: --expression_timeout must be a positive whole number \(for example --expression_timeout 5000\)/,
      hint: `see \`bundle ${command} --help\``,
    })),
  ),
  {
    name: 'resolve --expression_max_depth=-3',
    args: ['resolve', 'x', '--expression_max_depth=-3', '--config_file', 'missing.json'],
    message: /^error\[usage\]: --expression_max_depth must be a positive whole number/,
    hint: 'see `bundle resolve --help`',
  },
  {
    name: 'convert-tfjs without its two paths',
    args: ['convert-tfjs'],
    message: /^error\[usage\]: Not enough non-option arguments: got 0, need at least 2/,
    hint: 'see `bundle convert-tfjs --help`',
  },
  {
    name: 'run with a --log-level outside its choices',
    args: ['run', '--log-level', 'loud', '--config_file', 'x.json'],
    message: /^error\[usage\]: Invalid values:\n\s+Argument: log_level, Given: "loud"/,
    hint: 'see `bundle run --help`',
  },
];

describe('bundle usage errors (built CLI)', function () {
  this.timeout(60_000);
  for (const c of CASES) {
    it(`${c.name}: exit 2, one usage error, no stack trace`, async () => {
      const r = await bundleCli(c.args);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.slice(r.stderr.indexOf('error['))).to.match(c.message);
      expect(r.stderr).to.contain(`hint: ${c.hint}`);
      expect(r.stderr).not.to.match(/error\[internal\]|\n\s+at /);
      expect(r.stdout).to.equal('');
    });
  }
});
