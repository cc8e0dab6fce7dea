/**
 * Regression tests for the config-file attacks of the red team's report (issue 13): YAML alias expansion,
 * macros and config files that name a FIFO, a device, /proc or a file outside the bundle root through a
 * symbolic link, and oversized files. Each ends in a typed error at once.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/loadConfig.js';
import { BundleError } from '../../src/errors/index.js';

async function loadError(configFile: string, allowOutsideBundleRoot = false): Promise<BundleError> {
  const err = await loadConfig({ configFiles: [configFile], allowOutsideBundleRoot }).then(
    () => expect.fail('expected the config to be refused'),
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(BundleError);
  return err as BundleError;
}

describe('security: config files and macros', () => {
  let dir: string;
  let configs: string;
  const config = (name: string, value: unknown): string => {
    const file = path.join(configs, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sec-config-'));
    configs = path.join(dir, 'bundle', 'configs');
    mkdirSync(configs, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('YAML alias expansion (billion laughs) is a parse error, at once', async () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let k = 1; k < 9; k++) {
      const prev = String.fromCharCode(96 + k);
      const name = String.fromCharCode(97 + k);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const file = path.join(configs, 'bomb.yaml');
    writeFileSync(file, levels.join('\n') + '\n');
    const t0 = Date.now();
    const err = await loadError(file);
    expect(err.kind).to.equal('parse_error');
    expect(err.message).to.contain('aliases expand');
    expect(Date.now() - t0).to.be.below(10_000);
  });

  it('YAML with a few ordinary aliases still loads', async () => {
    const file = path.join(configs, 'ok.yaml');
    writeFileSync(file, 'base: &b {x: 1, y: [1, 2]}\none: *b\ntwo: *b\n');
    const cfg = await loadConfig({ configFiles: [file] });
    expect(await cfg.resolve('two')).to.deep.equal({ x: 1, y: [1, 2] });
  });

  it('a macro through a symlink to /proc/self/environ is refused by the root rule, naming the target', async () => {
    symlinkSync('/proc/self/environ', path.join(configs, 'env.yaml'));
    const err = await loadError(config('inference.json', { leak: '%configs/env.yaml' }));
    expect(err.kind).to.equal('macro_error');
    expect(err.message).to.contain('outside the bundle root').and.contain('through a symbolic link to /proc/');
    expect(err.hint).to.contain('--allow_outside_root');
  });

  it('a macro through a symlink to /proc is refused even with --allow_outside_root (special file systems are never read)', async () => {
    symlinkSync('/proc/self/environ', path.join(configs, 'env.yaml'));
    const err = await loadError(config('inference.json', { leak: '%configs/env.yaml' }), true);
    expect(err.kind).to.equal('macro_error');
    expect(err.message).to.contain('special file system');
    expect(err.message).not.to.match(/PATH=|HOME=/);
  });

  it('a macro through a symlink to a file outside the root is refused; the same file inside is read', async () => {
    writeFileSync(path.join(dir, 'secret.json'), '{"x": "secret"}');
    symlinkSync(path.join(dir, 'secret.json'), path.join(configs, 'inner.json'));
    expect((await loadError(config('inference.json', { v: '%configs/inner.json::x' }))).message).to.contain('outside the bundle root');
    writeFileSync(path.join(configs, 'plain.json'), '{"x": "fine"}');
    const cfg = await loadConfig({ configFiles: [config('ok.json', { v: '%configs/plain.json::x' })] });
    expect(await cfg.resolve('v')).to.equal('fine');
  });

  it('a macro that reads a FIFO inside the bundle fails at once instead of hanging', async () => {
    execFileSync('mkfifo', [path.join(configs, 'fifo.json')]);
    const t0 = Date.now();
    const err = await loadError(config('inference.json', { v: '%configs/fifo.json::x' }));
    expect(err.kind).to.equal('macro_error');
    expect(err.message).to.contain('FIFO').and.contain('only regular files');
    expect(Date.now() - t0).to.be.below(10_000);
  });

  it('a macro that reads /dev/zero (through a .json symlink, with --allow_outside_root) fails at once', async () => {
    symlinkSync('/dev/zero', path.join(configs, 'zero.json'));
    const err = await loadError(config('inference.json', { v: '%configs/zero.json::x' }), true);
    expect(err.message).to.contain('special file system');
  });

  it('a config file named on the command line must be a regular file: a FIFO, a folder, /dev/zero', async () => {
    execFileSync('mkfifo', [path.join(configs, 'fifo.json')]);
    const fifo = await loadError(path.join(configs, 'fifo.json'));
    expect(fifo.kind).to.equal('config_file_unreadable');
    expect(fifo.exitCode).to.equal(2);
    mkdirSync(path.join(configs, 'folder.json'));
    expect((await loadError(path.join(configs, 'folder.json'))).message).to.contain('is a folder');
    symlinkSync('/dev/zero', path.join(configs, 'zero.json'));
    expect((await loadError(path.join(configs, 'zero.json'))).kind).to.equal('config_file_unreadable');
  });

  it('a config file over 16 MB is refused with its size', async () => {
    const file = path.join(configs, 'big.json');
    writeFileSync(file, `{"x": "${'a'.repeat(17 * 1024 * 1024)}"}`);
    const err = await loadError(file);
    expect(err.kind).to.equal('config_file_unreadable');
    expect(err.message).to.contain('larger than 16777216 bytes');
  });
});
