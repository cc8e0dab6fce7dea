import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TmpDirs } from '../config/tmpBundle.js';
import { repoPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

/**
 * A prompted class with no voxel in the output is listed as "prompted, empty" (table and run summary), not left out.
 * On the sample, the shipped demo network gives spleen (3) no voxel when prompted with left gluteus medius (100).
 */
describe('VISTA3D prompted labels that come out empty (built CLI)', function () {
  this.timeout(180_000);
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());
  const image = repoPath('bundle', 'sample', 'totalseg_example_ct_sm.nii.gz');

  it('label_prompt [3, 100]: spleen is a "prompted, empty" row and the summary records it', async () => {
    const out = tmp.bundle({});
    const r = await bundleCli(['run', '--output_dir', out, '--input_dict', JSON.stringify({ image, label_prompt: [3, 100] })]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/: 1 label, 1 prompted, empty$/m);
    expect(r.stdout).to.match(/^ {2}3 +spleen \(prompted, empty\) +0 +0\.0$/m);
    expect(r.stdout).to.match(/^ {2}100 +left gluteus medius +[1-9]\d* +\d+\.\d$/m);
    const summary = JSON.parse(readFileSync(path.join(out, 'run_summary.json'), 'utf8')) as { items: Array<{ empty_prompted_labels?: Record<string, number[]> }> };
    expect(summary.items[0]!.empty_prompted_labels).to.deep.equal({ pred: [3] });
  });

  it('label_prompt [3, 25]: both have voxels, so nothing is listed as empty', async () => {
    const out = tmp.bundle({});
    const r = await bundleCli(['run', '--output_dir', out, '--input_dict', JSON.stringify({ image, label_prompt: [3, 25] })]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/: 2 labels$/m);
    expect(r.stdout).not.to.contain('prompted, empty');
    const summary = JSON.parse(readFileSync(path.join(out, 'run_summary.json'), 'utf8')) as { items: Array<Record<string, unknown>> };
    expect(summary.items[0]).not.to.have.property('empty_prompted_labels');
  });
});
