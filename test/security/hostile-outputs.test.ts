/**
 * Regression tests for the red team's write attacks (issues 13, 15, and items 2 and 10 of issue 14), through
 * the real CLI on the threshold test bundle: writes stay where the user said, never replace a file the run
 * read, fail before any work when they cannot succeed, and report the real failure.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleCli } from '../cli/bundleCli.js';
import { filesUnder } from '../helpers/files.js';
import { makeThresholdBundle } from '../engine/bundleFixture.js';

const RUN = ['run', '--config_file', 'configs/inference.json', '--quiet'];


describe('security: hostile output targets (CLI)', function () {
  this.timeout(60000);
  let root: string;
  let outside: string;
  let input: Buffer;
  before(async () => {
    root = await makeThresholdBundle();
    input = readFileSync(path.join(root, 'inputs', 'phantom.nii.gz'));
  });
  beforeEach(() => (outside = mkdtempSync(path.join(os.tmpdir(), 'hostile-out-'))));
  afterEach(() => {
    rmSync(outside, { recursive: true, force: true });
    rmSync(path.join(root, 'eval'), { recursive: true, force: true });
    // no attack may have touched the input
    expect(readFileSync(path.join(root, 'inputs', 'phantom.nii.gz')).equals(input)).to.equal(true);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('output_postfix with "../", an absolute path, ".." or a newline is refused (a name, not a path)', async () => {
    for (const postfix of ['../../escape', '/tmp/x/evil', '..', 'a\nerror[x]: y', 'a\\b']) {
      const r = await bundleCli([...RUN, '--output_postfix', postfix], { cwd: root });
      expect(r.code, postfix).to.equal(1);
      expect(r.stderr, postfix).to.match(/^error\[invalid_arguments\]: SaveImaged's output_postfix .* contains (a path separator|"\.\."|a control character); it is part of a file name, not a path\./m);
    }
    expect(filesUnder(path.join(root, 'eval')).filter((f) => f.endsWith('.nii.gz'))).to.deep.equal([]);
  });

  it('a symlinked output folder pointing at the input folder cannot overwrite the input', async () => {
    const out = path.join(outside, 'out');
    mkdirSync(out);
    symlinkSync(path.join(root, 'inputs'), path.join(out, 'phantom'));
    const r = await bundleCli([...RUN, '--output_dir', out, '--output_postfix', ''], { cwd: root });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/error\[write_refused\]: refusing to write the image .*phantom\/phantom\.nii\.gz: it is the input file .*inputs\/phantom\.nii\.gz \(through a link\)/);
  });

  it('an input given through a symlink is still protected (same inode)', async () => {
    const out = path.join(outside, 'out');
    mkdirSync(path.join(out, 'linked'), { recursive: true });
    const link = path.join(out, 'linked', 'linked.nii.gz');
    symlinkSync(path.join(root, 'inputs', 'phantom.nii.gz'), link);
    const r = await bundleCli([...RUN, '--output_dir', out, '--output_postfix', '', '--input_dict', JSON.stringify({ image: link })], { cwd: root });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('error[write_refused]');
  });

  it('--summary_file and --preview cannot overwrite the input image or a config file', async () => {
    for (const [option, target] of [
      ['--summary_file', 'inputs/phantom.nii.gz'],
      ['--summary_file', 'configs/inference.json'],
      ['--summary_file', 'configs/metadata.json'],
      ['--preview', 'inputs/phantom.nii.gz'],
    ] as const) {
      const before = readFileSync(path.join(root, target));
      const r = await bundleCli([...RUN, option, target], { cwd: root });
      expect(r.code, `${option} ${target}`).to.equal(1);
      expect(r.stderr).to.match(new RegExp(`error\\[write_refused\\]: refusing to write the (run summary|preview) .*${target.replace('.', '\\.')}: it is the input file`));
      expect(readFileSync(path.join(root, target)).equals(before)).to.equal(true);
    }
  });

  it("a bundle config sending output_dir outside (e.g. /etc) is refused; --allow_write_outside or --output_dir lets the user decide", async () => {
    writeFileSync(path.join(root, 'configs', 'evil.json'), JSON.stringify({ output_dir: path.join(outside, 'etc') }));
    const evil = ['run', '--config_file', 'configs/inference.json,configs/evil.json', '--quiet'];
    const r = await bundleCli(evil, { cwd: root });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/error\[write_refused\]: refusing to write into the output folder .*\/etc: it is outside the folders this run may write to/);
    expect(r.stderr).to.contain('--allow_write_outside');
    expect(existsSync(path.join(outside, 'etc')), 'nothing created').to.equal(false);
    const allowed = await bundleCli([...evil, '--allow_write_outside'], { cwd: root });
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect(existsSync(path.join(outside, 'etc', 'phantom', 'phantom_seg.nii.gz'))).to.equal(true);
    const given = await bundleCli([...evil, '--output_dir', path.join(outside, 'chosen')], { cwd: root });
    expect(given.code, given.stderr).to.equal(0);
    expect(existsSync(path.join(outside, 'chosen', 'phantom', 'phantom_seg.nii.gz'))).to.equal(true);
    rmSync(path.join(root, 'configs', 'evil.json'));
  });

  it('--output_dir under /proc fails at once with a typed error (no hang)', async () => {
    const t0 = Date.now();
    const r = await bundleCli([...RUN, '--output_dir', '/proc/self/x'], { cwd: root });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/error\[write_refused\]: refusing to write into the output folder \/proc\/self\/x: \/proc is a special file system/);
    expect(Date.now() - t0).to.be.below(20000);
  });

  it('--output_dir <an existing file>: write_failed naming the file, before any network is loaded (not expression_error/ENOTDIR)', async () => {
    const file = path.join(outside, 'afile');
    writeFileSync(file, 'x');
    const r = await bundleCli([...RUN, '--output_dir', file, '--log-level', 'debug'], { cwd: root });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[write_failed\]: cannot write into the output folder .*afile: it is a file, not a folder/m);
    expect(r.stderr).not.to.contain('expression_error');
    expect(r.stderr).not.to.contain('ENOTDIR');
    expect(r.stderr, 'no item was processed').not.to.match(/item 1\/1/);
    expect(readFileSync(file, 'utf8')).to.equal('x');
  });

  it('a failed run creates no output folder and no run_summary.json where it started', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'hostile-cwd-'));
    try {
      const r = await bundleCli(['run', '--config_file', path.join(root, 'configs', 'inference.json'), '--quiet', '--input_dict', "{'image': 'missing.nii.gz'}"], { cwd });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain('error[image_not_found]');
      expect(readdirSync(cwd)).to.deep.equal([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('temporary files a killed run left in the output folder are removed by the next run; a live process\'s are kept', async () => {
    const folder = path.join(root, 'eval', 'phantom');
    mkdirSync(folder, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const stale = path.join(folder, `.phantom_seg.nii.gz.${dead}.0badc0de.tmp`);
    const live = path.join(folder, `.phantom_seg.nii.gz.${process.pid}.0badc0de.tmp`);
    writeFileSync(stale, 'partial');
    writeFileSync(live, 'partial');
    const r = await bundleCli(['run', '--config_file', 'configs/inference.json'], { cwd: root });
    expect(r.code, r.stderr).to.equal(0);
    expect(existsSync(stale)).to.equal(false);
    expect(existsSync(live)).to.equal(true);
    expect(r.stderr).to.contain(`removed a temporary file a killed run left: ${stale}`);
  });
});
