import { expect } from 'chai';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TmpDirs } from '../config/tmpBundle.js';
import { repoPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

/** Overrides must name ids the files define; new ones are marked; declared input_dict keys are enforced. */
describe('override ids and input_dict keys (built CLI)', function () {
  this.timeout(120_000);
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());
  const VISTA = repoPath('bundle', 'configs', 'inference.json');

  it('a misspelled override id is a usage error with the closest ids, before anything runs or is written', async () => {
    const cwd = tmp.bundle({});
    const r = await bundleCli(['run', '--output_dri', path.join(cwd, 'out')], { cwd });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^error\[invalid_override\]: The override --output_dri names an id that no config file defines/);
    expect(r.stderr).to.contain('closest: output_dir').and.contain('--new:output_dri');
    expect(readdirSync(cwd)).to.deep.equal([]);
    const check = await bundleCli(['check', '--config_file', VISTA, '--output_dri', 'x']);
    expect(check.code).to.equal(2);
    expect(check.stderr).to.contain('closest: output_dir');
  });

  it('new ids are added with the new: marker, component arguments and existing ids without one', async () => {
    const r = await bundleCli(['resolve', 'extra', '--config_file', VISTA, '--new:extra', '5', '--output_dir', '/tmp/x', '--inferer::stitch_memory_mb', '64']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.equal(5);
  });

  it('an args file key is checked the same way, and its hint shows the marker as a key', async () => {
    const dir = tmp.bundle({});
    const argsFile = path.join(dir, 'args.json');
    writeFileSync(argsFile, JSON.stringify({ config_file: VISTA, ouput_postfix: 'x' }));
    const r = await bundleCli(['run', '--args_file', argsFile], { cwd: dir });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('closest: output_postfix').and.contain('"new:ouput_postfix"');
  });

  it('VISTA3D rejects an input_dict key its metadata does not declare, naming the closest one', async () => {
    const out = tmp.bundle({});
    const image = repoPath('bundle', 'sample', 'totalseg_example_ct_sm.nii.gz');
    const r = await bundleCli(['run', '--output_dir', out, '--input_dict', JSON.stringify({ image, lable_prompt: [3] })]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[unknown_input_key\]: input_dict has the key "lable_prompt"/);
    expect(r.stderr).to.contain('closest: label_prompt').and.contain('image, label_prompt, points, point_labels');
    expect(existsSync(path.join(out, 'run_summary.json'))).to.equal(false);
  });
});
