import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TmpDirs } from '../config/tmpBundle.js';
import { repoPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

/** A run that processes nothing (empty folder, wrong suffix, an empty list) says so, and fails with --strict. */
describe('empty batches (built CLI)', function () {
  this.timeout(120_000);
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());
  const configs = ['inference.json', 'batch_inference.json'].map((f) => repoPath('bundle', 'configs', f)).join(',');

  it('an input folder with no *.nii.gz: a warning, exit 0; with --strict: error[empty_input], exit 1', async () => {
    const inputs = tmp.bundle({});
    writeFileSync(path.join(inputs, 'scan.nii'), 'not the suffix the bundle globs');
    const out = tmp.bundle({});
    const r = await bundleCli(['run', '--config_file', configs, '--input_dir', inputs, '--output_dir', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/warning: the run processed no items: the dataset was empty/);
    const strict = await bundleCli(['run', '--config_file', configs, '--input_dir', inputs, '--output_dir', out, '--strict']);
    expect(strict.code).to.equal(1);
    expect(strict.stderr).to.match(/^error\[empty_input\]: The run processed no items/m);
  });

  it('--input_dict "[]" warns the same way', async () => {
    const out = tmp.bundle({});
    const r = await bundleCli(['run', '--input_dict', '[]', '--output_dir', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('warning: the run processed no items');
    expect(r.stdout).to.contain('done: 0 items');
  });
});
