import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNifti } from '../../src/image/nifti/read.js';
import { makeThresholdBundle, PHANTOM_AFFINE, PHANTOM_SHAPE, phantomValues } from '../engine/bundleFixture.js';
import { repoPath, sharedPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

describe('bundle run', function () {
  let root: string;
  const config = () => path.join(root, 'configs', 'inference.json');
  before(async () => (root = await makeThresholdBundle()));
  after(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => rmSync(path.join(root, 'eval'), { recursive: true, force: true }));

  it('runs a bundle end to end: preprocessing, sliding windows, inversion, saving, summary', async () => {
    const r = await bundleCli(['run', '--config_file', 'configs/inference.json'], { cwd: root });
    expect(r.code).to.equal(0, r.stderr);
    const output = path.join(root, 'eval', 'phantom', 'phantom_seg.nii.gz');
    expect(r.stdout).to.contain(`outputs:\n  ${output}`);
    expect(r.stdout).to.contain(`run summary: ${path.join(root, 'eval', 'run_summary.json')}`);
    const saved = await readNifti(output, { dtype: null });
    expect(saved.dtype).to.equal('uint8');
    expect(saved.shape).to.deep.equal([1, ...PHANTOM_SHAPE]);
    expect(saved.affine).to.deep.equal(PHANTOM_AFFINE);
    const expected = Array.from(phantomValues(), (hu) => (hu > 0 ? 1 : 0));
    expect(expected.filter((v) => v === 1).length).to.be.greaterThan(50); // the threshold is not trivial
    expect(Array.from(saved.data)).to.deep.equal(expected);
    const summary = JSON.parse(readFileSync(path.join(root, 'eval', 'run_summary.json'), 'utf8'));
    expect(summary.status).to.equal('completed');
    expect(summary.outputs).to.deep.equal([output]);
    expect(summary.inputs).to.deep.equal([path.join(root, 'inputs', 'phantom.nii.gz')]);
    expect(r.stderr).to.contain('info: evaluator: item 1/1 phantom.nii.gz');
    expect(r.stderr).to.match(/item 1\/1: windows \d+\/\d+/); // plain progress lines off a terminal
  });

  it('falls back from an unavailable execution provider to cpu with a warning naming it', async () => {
    const r = await bundleCli(['run', '--config_file', config(), '--network_def::execution_providers', "['cuda','cpu']"], { cwd: root });
    expect(r.code).to.equal(0, r.stderr);
    expect(r.stderr).to.match(/warning: .*cuda/);
    expect(existsSync(path.join(root, 'eval', 'phantom', 'phantom_seg.nii.gz'))).to.equal(true);
  });

  it('is silent with --quiet, and takes values from --args_file before the command line', async () => {
    const argsFile = path.join(root, 'args.yaml');
    writeFileSync(argsFile, `config_file: ${config()}\noutput_dir: ${path.join(root, 'eval', 'from_args')}\noutput_postfix: args\n`);
    const r = await bundleCli(['run', '--args_file', argsFile, '--output_postfix', 'cli', '--quiet'], { cwd: root });
    expect(r.code).to.equal(0, r.stderr);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('');
    expect(existsSync(path.join(root, 'eval', 'from_args', 'phantom', 'phantom_cli.nii.gz'))).to.equal(true);
  });

  it('runs the section named as run_id, and reports a missing one with the closest ids (exit 1)', async () => {
    const r = await bundleCli(['run', 'runn', '--config_file', config()], { cwd: root });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('error[id_not_found]: The config has no "runn" section to run.');
    expect(r.stderr).to.contain('closest: run');
  });

  it('lists every missing workflow property at once (exit 1)', async () => {
    const raw = JSON.parse(readFileSync(config(), 'utf8'));
    delete raw.inferer;
    delete raw.evaluator;
    const file = path.join(root, 'configs', 'incomplete.json');
    writeFileSync(file, JSON.stringify(raw));
    const r = await bundleCli(['run', '--config_file', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr.match(/error\[missing_property\]/g)).to.have.length(2);
    expect(r.stderr).to.contain('"inferer"').and.contain('"evaluator"').and.contain('2 required workflow items are missing');
  });

  it('reports a missing config file as a usage error (exit 2)', async () => {
    const r = await bundleCli(['run', '--config_file', path.join(root, 'configs', 'nope.json')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^error\[config_file_not_found\]/);
  });

  it('reports a bad override: without a value (exit 2), or for an id whose parent does not exist (exit 1)', async () => {
    const noValue = await bundleCli(['run', '--config_file', config(), '--output_dir']);
    expect(noValue.code).to.equal(2);
    expect(noValue.stderr).to.match(/^error\[invalid_override\]: The override --output_dir has no value/);
    const badId = await bundleCli(['run', '--config_file', config(), '--inferrer::roi_size', '[8,8,8]']);
    expect(badId.code).to.equal(1);
    expect(badId.stderr).to.match(/^error\[id_not_found\]/);
    expect(badId.stderr).to.contain('--inferrer::roi_size');
  });

  it('fails with exit 1 when an input is missing, and records the failure in the summary of an existing output folder', async () => {
    // issue 14 item 10: a failed run creates no output folder of its own; an existing one gets the summary
    rmSync(path.join(root, 'eval'), { recursive: true, force: true });
    const fresh = await bundleCli(['run', '--config_file', config(), '--input_dict', "{'image': 'inputs/absent.nii.gz'}"], { cwd: root });
    expect(fresh.code).to.equal(1);
    expect(existsSync(path.join(root, 'eval'))).to.equal(false);
    mkdirSync(path.join(root, 'eval'));
    const r = await bundleCli(['run', '--config_file', config(), '--input_dict', "{'image': 'inputs/absent.nii.gz'}"], { cwd: root });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/error\[image_not_found\]/);
    expect(r.stderr).to.contain('error: evaluator: item 1/1 failed');
    const summary = JSON.parse(readFileSync(path.join(root, 'eval', 'run_summary.json'), 'utf8'));
    expect(summary.status).to.equal('failed');
    expect(summary.error.kind).to.equal('image_not_found');
  });

  it('has --help with the override grammar and the exit codes', async () => {
    const r = await bundleCli(['run', '--help']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('--config_file').and.contain('--args_file').and.contain('Overrides:').and.contain('Exit codes: 0 success');
  });
});

describe('bundle run on MONAI\'s reference pipeline', function () {
  this.timeout(120000);
  let root: string;
  after(() => root && rmSync(root, { recursive: true, force: true }));

  it('reproduces 08_pred_inverted: box filter over sliding windows, thresholded and inverted to the CT grid', async function () {
    const ct = sharedPath(this, 'data', 'ct', 'totalseg_example_ct_sm.nii.gz');
    const reference = sharedPath(this, 'reference', 'monai', 'ct_sm', '08_pred_inverted.nii.gz');
    root = mkdtempSync(path.join(os.tmpdir(), 'monai-ref-bundle-'));
    cpSync(repoPath('test/fixtures/engine/monai_reference_bundle'), root, { recursive: true });
    mkdirSync(path.join(root, 'models'));
    cpSync(repoPath('test/fixtures/inference/box_filter_3x3x3.onnx'), path.join(root, 'models', 'box_filter_3x3x3.onnx'));
    cpSync(ct, path.join(root, 'totalseg_example_ct_sm.nii.gz'));
    const r = await bundleCli(['run', '--config_file', path.join(root, 'configs', 'inference.json'), '--quiet'], { cwd: root });
    expect(r.code).to.equal(0, r.stderr);
    const ours = await readNifti(path.join(root, 'eval', 'totalseg_example_ct_sm_pred.nii.gz'));
    const theirs = await readNifti(reference);
    expect(ours.shape).to.deep.equal(theirs.shape);
    expect(ours.affine).to.deep.equal(theirs.affine);
    let ones = 0;
    let differ = 0;
    for (let i = 0; i < ours.data.length; i++) {
      if (ours.data[i] === 1) ones++;
      if (ours.data[i] !== theirs.data[i]) differ++;
    }
    expect(differ).to.equal(0);
    expect(ones).to.equal(27517);
  });
});
