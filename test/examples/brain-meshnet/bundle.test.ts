/**
 * The MeshNet brain bundle (examples/brain-meshnet) through `bundle run`, as a user runs it: from the bundle
 * folder, with --input_dict and --output_dir. The always-on checks use blocks cut from the bundle's own
 * sample T1 (1 mm, so the networks see anatomy at their training scale, small enough to run in seconds);
 * the full-size checks compare with brainchop's labels in ../shared and are skipped without it.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readNifti } from '../../../src/image/nifti/read.js';
import { writeNifti } from '../../../src/image/nifti/write.js';
import type { Volume } from '../../../src/image/Volume.js';
import { cropVolume } from '../../../src/transforms/crop/CropForegroundd.js';
import { labelComponents } from '../../../src/transforms/post/connectedComponents.js';
import { bundleCli } from '../../cli/bundleCli.js';
import { repoPath, sharedPath } from '../../helpers/shared.js';

const BUNDLE = repoPath('examples', 'brain-meshnet');
const SAMPLE = path.join(BUNDLE, 'sample', 't1_crop.nii.gz');
const VARIANTS = {
  default: { config: 'configs/inference.json', meta: 'configs/metadata.json', postfix: 'seg', model: 'model5_gw_ae' },
  subcortical: { config: 'configs/inference.json,configs/subcortical.json', meta: 'configs/metadata_subcortical.json', postfix: 'subcortical', model: 'model18cls' },
  brain_mask: { config: 'configs/inference.json,configs/brain_mask.json', meta: 'configs/metadata_brain_mask.json', postfix: 'brain_mask', model: 'mindgrab' },
} as const;
type Variant = keyof typeof VARIANTS;

/** Runs a variant of the bundle from its folder; returns the output volume (stored dtype). */
async function runVariant(variant: Variant, outputDir: string, extra: string[] = []): Promise<{ output: Volume; stdout: string; stderr: string }> {
  const v = VARIANTS[variant];
  const r = await bundleCli(['run', '--config_file', v.config, '--meta_file', v.meta, '--output_dir', outputDir, ...extra], { cwd: BUNDLE });
  expect(r.code).to.equal(0, r.stderr);
  const inputDict = extra.indexOf('--input_dict');
  const input = inputDict >= 0 ? /'image':\s*'([^']+)'/.exec(extra[inputDict + 1]!)![1]! : SAMPLE;
  const stem = path.basename(input, '.nii.gz');
  const file = path.join(outputDir, stem, `${stem}_${v.postfix}.nii.gz`);
  expect(r.stdout).to.contain(file);
  return { output: await readNifti(file, { dtype: null }), stdout: r.stdout, stderr: r.stderr };
}

function counts(volume: Volume): Map<number, number> {
  const c = new Map<number, number>();
  for (const v of volume.data) c.set(v, (c.get(v) ?? 0) + 1);
  return c;
}

function agreement(a: Volume, b: Volume): number {
  expect(a.data.length).to.equal(b.data.length);
  let same = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] === b.data[i]) same++;
  return same / a.data.length;
}

describe('examples/brain-meshnet', function () {
  this.timeout(180000);
  let tmp: string;
  let block: Volume;
  let blockFile: string;
  let smallFile: string;
  let framed: Volume;
  let framedFile: string;
  let wholeBlock: Volume | undefined;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'brain-meshnet-'));
    const t1 = await readNifti(SAMPLE, { dtype: null });
    // 96^3 around the middle of the brain; 48^3 for the slow mindgrab network
    block = cropVolume(t1, [80, 88, 68], [176, 184, 164]);
    blockFile = path.join(tmp, 'block.nii.gz');
    await writeNifti(blockFile, block);
    framed = cropVolume(block, [-8, -8, -8], [104, 104, 104]);
    framedFile = path.join(tmp, 'framed.nii.gz');
    await writeNifti(framedFile, framed);
    smallFile = path.join(tmp, 'small.nii.gz');
    await writeNifti(smallFile, cropVolume(t1, [104, 112, 92], [152, 160, 140]));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('segments grey and white matter in a block of the T1: the input grid, three classes, tissue in plausible proportions', async () => {
    const preview = path.join(tmp, 'preview.png');
    const { output, stdout } = await runVariant('default', path.join(tmp, 'out'), ['--input_dict', `{'image': '${blockFile}'}`, '--preview', preview]);
    wholeBlock = output;
    expect(output.dtype).to.equal('uint8');
    expect(output.shape).to.deep.equal(block.shape);
    expect(output.affine).to.deep.equal(block.affine);
    const c = counts(output);
    expect([...c.keys()].sort()).to.deep.equal([0, 1, 2]);
    const n = output.data.length;
    // a block inside the head: mostly brain tissue, both white (1) and grey (2) matter well represented
    expect(c.get(1)! / n).to.be.within(0.2, 0.5);
    expect(c.get(2)! / n).to.be.within(0.2, 0.5);
    // the printed summary: each class by its colormap name, with its voxel count and volume (1 mm voxels: 1000 per mL)
    for (const [label, name] of [[1, 'White Matter'], [2, 'Grey Matter']] as const) {
      const row = new RegExp(`^\\s*${label}\\s+${name}\\s+(\\d+)\\s+([\\d.]+)\\s*$`, 'm').exec(stdout);
      expect(row, `summary row for ${name} in:\n${stdout}`).to.not.equal(null);
      expect(Number(row![1])).to.equal(c.get(label));
      expect(Number(row![2])).to.be.closeTo(c.get(label)! / 1000, 0.05);
    }
    const png = PNG.sync.read(readFileSync(preview));
    expect(png.width).to.be.greaterThan(png.height);
  });

  it('use_sliding_window switches to windows of patch_size on the same grid, agreeing with the whole-volume pass on most voxels', async function () {
    if (!wholeBlock) this.skip();
    const { output } = await runVariant('default', path.join(tmp, 'windows'), [
      '--input_dict', `{'image': '${blockFile}'}`, '--use_sliding_window', 'true', '--patch_size', '[64,64,64]',
    ]);
    expect(output.shape).to.deep.equal(block.shape);
    expect(output.affine).to.deep.equal(block.affine);
    // not all: model5_gw_ae sees 93 voxels across, more than a 64-voxel window (hence whole volume by default)
    const same = agreement(output, wholeBlock!);
    expect(same).to.be.within(0.75, 0.999);
  });

  it('subcortical layer: crops to the box above 0.2 x max, pastes the labels back, and finds the deep grey structures', async () => {
    // the block framed by 8 voxels of 0, so that the crop box is smaller than the image
    const { output } = await runVariant('subcortical', path.join(tmp, 'out'), ['--input_dict', `{'image': '${framedFile}'}`]);
    expect(output.shape).to.deep.equal(framed.shape);
    expect(output.affine).to.deep.equal(framed.affine);
    const c = counts(output);
    expect(Math.max(...c.keys())).to.be.at.most(17);
    // thalamus, caudate, putamen, brain stem, hippocampus: the block holds all of them
    for (const label of [7, 8, 9, 13, 14]) expect(c.get(label) ?? 0, `label ${label}`).to.be.greaterThan(500);
    const n = framed.shape[1]!;
    let labelledInFrame = 0;
    for (let i = 0; i < output.data.length; i++) {
      const index = [Math.floor(i / n / n), Math.floor(i / n) % n, i % n];
      if (index.some((p) => p < 8 || p >= n - 8) && output.data[i] !== 0) labelledInFrame++;
    }
    expect(labelledInFrame).to.equal(0);
  });

  it('brain_mask layer: a binary mask made of one connected component', async () => {
    const { output } = await runVariant('brain_mask', path.join(tmp, 'out'), ['--input_dict', `{'image': '${smallFile}'}`]);
    expect(output.shape).to.deep.equal([1, 48, 48, 48]);
    const c = counts(output);
    expect([...c.keys()].every((k) => k === 0 || k === 1)).to.equal(true);
    expect(c.get(1) ?? 0).to.be.greaterThan(1000);
    const components = labelComponents(output.data, [48, 48, 48], 3);
    expect(components.count).to.equal(1);
  });

  it('an image with nothing above the crop threshold is one clear error (exit 1) and no output file', async () => {
    const empty = path.join(tmp, 'empty.nii.gz');
    await writeNifti(empty, { ...block, data: new Uint8Array(block.data.length) });
    const out = path.join(tmp, 'empty_out');
    const v = VARIANTS.subcortical;
    const r = await bundleCli(['run', '--config_file', v.config, '--meta_file', v.meta, '--input_dict', `{'image': '${empty}'}`, '--output_dir', out], { cwd: BUNDLE });
    expect(r.code).to.equal(1);
    expect(r.stderr.match(/^error\[/gm)).to.have.length(1);
    expect(r.stderr).to.contain('error[invalid_data]: CropForegroundd found no voxel above 0.2');
    expect(existsSync(path.join(out, 'empty'))).to.equal(false);
  });

  it('runs from another folder when given --bundle_root, and writes the run summary beside the output', async () => {
    const out = path.join(tmp, 'elsewhere');
    const config = path.join(BUNDLE, 'configs', 'inference.json');
    const r = await bundleCli(['run', '--config_file', config, '--bundle_root', BUNDLE, '--input_dict', `{'image': '${smallFile}'}`, '--output_dir', out, '--quiet'], { cwd: tmp });
    expect(r.code).to.equal(0, r.stderr);
    const summary = JSON.parse(readFileSync(path.join(out, 'run_summary.json'), 'utf8'));
    expect(summary.status).to.equal('completed');
    expect(summary.outputs).to.deep.equal([path.join(out, 'small', 'small_seg.nii.gz')]);
  });

  it('every variant\'s metadata is valid and names the classes of its model\'s colormap', async () => {
    for (const v of Object.values(VARIANTS)) {
      const r = await bundleCli(['verify_metadata', '--meta_file', v.meta], { cwd: BUNDLE });
      expect(r.code).to.equal(0, r.stderr);
      const meta = JSON.parse(readFileSync(path.join(BUNDLE, v.meta), 'utf8'));
      const colormap = JSON.parse(readFileSync(path.join(BUNDLE, 'models', `${v.model}.colormap.json`), 'utf8'));
      const pred = meta.network_data_format.outputs.pred;
      expect(Object.values(pred.channel_def)).to.deep.equal(colormap.labels);
      expect(pred.num_channels).to.equal(colormap.labels.length);
    }
  });

  describe('on the full 256^3 T1, against brainchop\'s labels', function () {
    it('model5_gw_ae (the default, on the sample input) reproduces t1_crop__model5_gw_ae__labels on at least 99.9% of voxels', async function () {
      const reference = await readNifti(sharedPath(this, 'reference', 'brainchop', 't1_crop__model5_gw_ae__labels.nii.gz'), { dtype: null });
      const { output } = await runVariant('default', path.join(tmp, 'full'));
      expect(output.shape).to.deep.equal([1, 256, 256, 256]);
      expect(output.affine).to.deep.equal((await readNifti(SAMPLE, { dtype: null })).affine);
      expect(agreement(output, reference)).to.be.at.least(0.999);
    });

    it('model18cls (the subcortical layer, with its crop) reproduces t1_crop__model18cls__labels on at least 99.5% of voxels', async function () {
      const reference = await readNifti(sharedPath(this, 'reference', 'brainchop', 't1_crop__model18cls__labels.nii.gz'), { dtype: null });
      const { output } = await runVariant('subcortical', path.join(tmp, 'full'));
      expect(output.shape).to.deep.equal([1, 256, 256, 256]);
      expect(agreement(output, reference)).to.be.at.least(0.995);
    });
  });
});
