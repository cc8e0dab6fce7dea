/**
 * Three attacks through the real CLI (built dist/): the one that killed the process with a V8 fatal error
 * ($pad to 5e8 characters), the one that hung it (a macro reading a FIFO) and the one that mutated a shared
 * value ($run(@list, 'pop')). Each must print one typed error and exit 1, without a stack trace.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleCli } from '../cli/bundleCli.js';

describe('security: attacks through the CLI', function () {
  this.timeout(60_000);
  let dir: string;
  let cfg: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sec-cli-'));
    mkdirSync(path.join(dir, 'configs'));
    execFileSync('mkfifo', [path.join(dir, 'configs', 'fifo.json')]);
    cfg = path.join(dir, 'configs', 'inference.json');
    writeFileSync(cfg, JSON.stringify({ bundle_root: '.', list: [1, 2, 3], pad: "$$pad('x', 500000000)", etc: "$$glob('/etc', 'pass*')", datalist: "$$load_decathlon_datalist('/etc/hostname')", run: ["$$run(@list, 'pop')"] }));
    writeFileSync(path.join(dir, 'configs', 'fifo_macro.json'), JSON.stringify({ v: '%configs/fifo.json::x' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const typed = (r: { code: number; stderr: string }, kind: string): void => {
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.match(new RegExp(`^error\\[${kind}\\]`, 'm'));
    expect(r.stderr).not.to.match(/^\s+at /m);
  };

  it('$pad to 5e8 characters: error[expression_limit] naming --expression_max_chars, not a V8 fatal error', async () => {
    const r = await bundleCli(['resolve', 'pad', '--config_file', cfg]);
    typed(r, 'expression_limit');
    expect(r.stderr).to.contain('--expression_max_chars');
  });

  it('a macro reading a FIFO inside the bundle: error[macro_error] at once, not a hang', async () => {
    const t0 = Date.now();
    typed(await bundleCli(['resolve', 'v', '--config_file', path.join(dir, 'configs', 'fifo_macro.json')]), 'macro_error');
    expect(Date.now() - t0).to.be.below(30_000);
  });

  it("$run(@list, 'pop') in a run section: error[invalid_arguments]", async () => {
    typed(await bundleCli(['run', '--config_file', cfg, '--workflow_type', 'none', '--quiet']), 'invalid_arguments');
  });

  it("$glob('/etc', 'pass*') and a datalist outside the bundle are refused by resolve as by run: error[outside_root]", async () => {
    for (const id of ['etc', 'datalist']) {
      const r = await bundleCli(['resolve', id, '--config_file', cfg]);
      typed(r, 'outside_root');
      expect(r.stderr).not.to.contain('/etc/passwd\n');
    }
    const allowed = await bundleCli(['resolve', 'etc', '--config_file', cfg, '--allow_outside_root']);
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect(allowed.stdout).to.contain('/etc/passwd');
  });
});
