import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleCli } from './bundleCli.js';

describe('bundle init_bundle', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'cli-init-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a bundle that bundle check accepts, whose metadata verifies, and lists the files it wrote', async () => {
    const root = path.join(dir, 'my_bundle');
    const r = await bundleCli(['init_bundle', root]);
    expect(r.code).to.equal(0, r.stderr);
    expect(r.stdout).to.contain(path.join(root, 'configs', 'inference.json'));
    expect(existsSync(path.join(root, 'models'))).to.equal(true);
    const v = await bundleCli(['verify_metadata', '--meta_file', path.join(root, 'configs', 'metadata.json')]);
    expect(v.code).to.equal(0, v.stderr);
    expect(v.stdout).to.contain('valid against bundle_meta_schema_v1.json');
    const c = await bundleCli(['check', '--config_file', path.join(root, 'configs', 'inference.json')]);
    expect(c.code).to.equal(0, c.stderr);
    expect(c.stdout).to.match(/^ok: /);
  });

  it('refuses to overwrite an existing bundle, with exit code 2', async () => {
    writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const r = await bundleCli(['init_bundle', dir]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^error\[usage\]: .* is not empty/);
    expect(readFileSync(path.join(dir, 'keep.txt'), 'utf8')).to.equal('mine');
  });

  it('has --help', async () => {
    const r = await bundleCli(['init_bundle', '--help']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('bundle_dir').and.contain('Exit codes');
  });
});
