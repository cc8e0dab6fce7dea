import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BundleError } from '../../src/errors/index.js';
import { removeQuietly, removeStaleTemps, tempPathBeside, writeFileAtomic } from '../../src/util/atomicWrite.js';

describe('util/atomicWrite', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'atomic-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes text and bytes whole, creating the folder, and leaves no temporary file', () => {
    writeFileAtomic(path.join(dir, 'a', 'b.json'), '{"x":1}\n');
    writeFileAtomic(path.join(dir, 'c.bin'), new Uint8Array([1, 2, 3]));
    expect(readFileSync(path.join(dir, 'a', 'b.json'), 'utf8')).to.equal('{"x":1}\n');
    expect([...readFileSync(path.join(dir, 'c.bin'))]).to.deep.equal([1, 2, 3]);
    expect(readdirSync(dir).sort()).to.deep.equal(['a', 'c.bin']);
  });

  it('keeps the existing file and cleans up when the write fails, naming the file in a write_failed error', () => {
    const target = path.join(dir, 'out');
    mkdirSync(target); // a folder where the file should go: the rename fails
    writeFileSync(path.join(target, 'keep'), 'old');
    let error: unknown;
    try {
      writeFileAtomic(target, 'new', 'the summary');
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BundleError);
    expect((error as BundleError).kind).to.equal('write_failed');
    expect((error as BundleError).message).to.contain(`the summary ${target}`);
    expect(readdirSync(dir)).to.deep.equal(['out']);
    expect(readFileSync(path.join(target, 'keep'), 'utf8')).to.equal('old');
  });

  it('a file where the folder should be: write_failed naming that file, not the cleanup\'s ENOTDIR', () => {
    const file = path.join(dir, 'afile');
    writeFileSync(file, 'x');
    let error: unknown;
    try {
      writeFileAtomic(path.join(file, 'run_summary.json'), '{}', 'the run summary');
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BundleError);
    expect((error as BundleError).kind).to.equal('write_failed');
    expect((error as BundleError).message).to.equal(`cannot write the run summary ${file}/run_summary.json: ${file} is a file, not a folder`);
    expect(readFileSync(file, 'utf8')).to.equal('x');
  });

  it('a cleanup that fails never replaces the error that made it necessary', () => {
    expect(() => removeQuietly(path.join(dir, 'afile-missing', 'x', 'y'))).not.to.throw();
    writeFileSync(path.join(dir, 'f'), 'x');
    expect(() => removeQuietly(path.join(dir, 'f', 'below'))).not.to.throw();
  });

  it('puts temporary files beside the target, hidden and unique', () => {
    const a = tempPathBeside(path.join(dir, 'x.nii.gz'));
    const b = tempPathBeside(path.join(dir, 'x.nii.gz'));
    expect(path.dirname(a)).to.equal(dir);
    expect(path.basename(a).startsWith('.x.nii.gz.')).to.equal(true);
    expect(a).to.not.equal(b);
  });

  it('removes the temporary files a killed write of that file left, and nothing else', () => {
    const target = path.join(dir, 'x.nii.gz');
    const stale = [tempPathBeside(target), tempPathBeside(target)];
    for (const f of [...stale, target, path.join(dir, '.y.nii.gz.1.abcdef01.tmp'), path.join(dir, '.x.nii.gz.notes')]) writeFileSync(f, '');
    expect(removeStaleTemps(target).sort()).to.deep.equal(stale.sort());
    expect(readdirSync(dir).sort()).to.deep.equal(['.x.nii.gz.notes', '.y.nii.gz.1.abcdef01.tmp', 'x.nii.gz']);
  });
});
