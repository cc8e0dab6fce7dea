import { expect } from 'chai';
import { bundleCli } from './bundleCli.js';

/** Help and version: -h is help everywhere (never runs anything), and the bare command lists the commands. */
describe('bundle help and version (built CLI)', function () {
  this.timeout(60_000);

  for (const args of [['-h'], ['--help']]) {
    it(`${args.join(' ')} prints the command list and exits 0`, async () => {
      const r = await bundleCli(args);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('Commands:').and.contain('bundle run').and.contain('bundle verify_net_in_out');
      expect(r.stderr).to.equal('');
    });
  }

  for (const flag of ['-v', '-V', '--version']) {
    it(`${flag} prints the version`, async () => {
      const r = await bundleCli([flag]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
    });
  }

  it('the bare command lists the commands before the usage error', async () => {
    const r = await bundleCli([]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('Commands:').and.contain('bundle resolve');
    expect(r.stderr).to.match(/error\[usage\]: Give a command; see the list above\./);
    expect(r.stderr.indexOf('Commands:')).to.be.lessThan(r.stderr.indexOf('error[usage]'));
  });

  for (const command of ['run', 'check', 'resolve', 'verify_net_in_out', 'init_bundle']) {
    it(`bundle ${command} -h prints that command's help and runs nothing`, async () => {
      const r = await bundleCli([command, '-h']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`bundle ${command}`).and.contain('Options:');
      expect(r.stderr).to.equal('');
    });
  }

  it('run --help lists --no-summary but not its positive twin, and --log_level with its hyphenated alias', async () => {
    const r = await bundleCli(['run', '--help']);
    expect(r.stdout).to.contain('--no-summary');
    expect(r.stdout).not.to.match(/--summary\s/);
    expect(r.stdout).to.contain('--log_level, --log-level');
  });
});
