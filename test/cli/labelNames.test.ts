import { expect } from 'chai';
import { TmpDirs } from '../config/tmpBundle.js';
import { repoPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

/** A misspelled class name in VISTA3D's label_prompt gets the class it was meant to be, not the zero-shot message. */
describe('VISTA3D label names (built CLI)', function () {
  this.timeout(120_000);
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());
  const image = repoPath('bundle', 'sample', 'totalseg_example_ct_sm.nii.gz');

  it('"livre" without clicks: invalid_prompt, did you mean "liver", exit 1', async () => {
    const out = tmp.bundle({});
    const r = await bundleCli(['run', '--output_dir', out, '--input_dict', JSON.stringify({ image, label_prompt: ['Spleen', 'livre'] })]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[invalid_prompt\]: Label name "livre" is not a class of this bundle; did you mean "liver"\?/m);
    expect(r.stderr).to.contain('a new name needs point prompts for zero-shot');
  });
});
