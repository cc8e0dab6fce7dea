/**
 * Regression tests for `$glob` attacks (issue 13): listing folders outside the bundle root (`$glob('/etc',
 * 'pass*')`, or through a symlinked folder inside the bundle) and catastrophic wildcard patterns.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { globFiles } from '../../src/engine/glob.js';
import { BundleError } from '../../src/errors/index.js';

describe('security: $glob', () => {
  let dir: string;
  let root: string;
  let data: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sec-glob-'));
    root = path.join(dir, 'bundle');
    data = path.join(dir, 'data');
    mkdirSync(path.join(root, 'inputs'), { recursive: true });
    mkdirSync(data);
    writeFileSync(path.join(root, 'inputs', 'a.nii.gz'), '');
    writeFileSync(path.join(data, 'secret.nii.gz'), '');
    symlinkSync(data, path.join(root, 'inputs', 'linked'));
    symlinkSync(path.join(data, 'secret.nii.gz'), path.join(root, 'inputs', 'b.nii.gz'));
    writeFileSync(path.join(root, 'inputs', `${'a'.repeat(200)}.txt`), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  let confined: { roots: string[]; allowOutside: boolean };
  before(() => (confined = { roots: [root], allowOutside: false }));

  it("$glob('/etc', 'pass*') is refused outside the bundle root", () => {
    expect(() => globFiles('/etc', 'pass*', confined)).to.throw(BundleError, /outside the bundle root/).with.property('kind', 'outside_root');
    expect(globFiles('/etc', 'pass*', { ...confined, allowOutside: true })).to.include('/etc/passwd');
  });

  it('a folder the user named on the command line is allowed', () => {
    expect(globFiles(data, '*.nii.gz', { roots: [root, data], allowOutside: false })).to.deep.equal([path.join(data, 'secret.nii.gz')]);
  });

  it('symlinks inside the bundle that lead outside are not followed (folders or files)', () => {
    expect(globFiles(path.join(root, 'inputs'), '**/*.nii.gz', confined)).to.deep.equal([path.join(root, 'inputs', 'a.nii.gz')]);
    expect(globFiles(path.join(root, 'inputs'), 'linked/*', confined)).to.deep.equal([]);
    expect(globFiles(path.join(root, 'inputs'), '*.nii.gz', { ...confined, allowOutside: true })).to.have.length(2);
  });

  it('a catastrophic wildcard pattern runs in linear time', () => {
    const t0 = Date.now();
    expect(globFiles(path.join(root, 'inputs'), `${'*a'.repeat(30)}*b`, confined)).to.deep.equal([]);
    expect(Date.now() - t0).to.be.below(5000);
  });

  it('an overlong pattern is a typed error', () => {
    expect(() => globFiles(root, '*'.repeat(5000), confined)).to.throw(BundleError, /at most 1024/);
  });
});
