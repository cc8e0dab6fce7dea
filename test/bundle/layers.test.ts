/**
 * The layered configs of the VISTA3D bundle through the binary: inference_trt.json (execution providers that
 * are missing here fall back to CPU with a warning naming them, and the output is identical to the plain run,
 * including class-head chunks of max_prompt_size), batch_inference.json (every *.nii.gz of a folder, sorted,
 * everything mode) and `bundle run` with no config file (the main job: sample CT, spleen, summary, preview).
 */
import { expect } from 'chai';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { EVERYTHING_LABELS } from '../../src/apps/vista3d/labels.js';
import { bundleCli } from '../cli/bundleCli.js';
import { cleanup, FAST, labelCounts, niftiFiles, readOutput, runVista, SAMPLE, SAMPLE_AFFINE, SAMPLE_SHAPE, tempDir } from './vistaRun.js';

describe('bundle/configs layers and the default run', function () {
  this.timeout(120_000);

  it('inference_trt.json without TensorRT/CUDA: each missing provider named in one warning, identical output', async () => {
    const input = { image: SAMPLE, label_prompt: [1, 3, 5, 6, 14, 33] }; // 6 prompts > max_prompt_size 4: chunked head
    const plain = await runVista(input, FAST);
    const trt = await runVista(input, [...FAST, '--head_trt_enabled', 'true'], ['inference.json', 'inference_trt.json']);
    try {
      expect(plain.code, plain.stderr).to.equal(0);
      expect(trt.code, trt.stderr).to.equal(0);
      const warnings = trt.stderr.split('\n').filter((l) => l.startsWith('warning: execution provider'));
      expect(warnings.length, trt.stderr).to.be.greaterThan(0);
      for (const provider of ['tensorrt', 'cuda']) {
        expect(warnings.filter((w) => w.includes(`${provider} (`)), provider).to.have.length(1);
      }
      expect(plain.stderr).to.not.include('warning: execution provider');
      const [a, b] = [await readOutput(plain), await readOutput(trt)];
      expect(b.shape).to.deep.equal(a.shape);
      expect(b.affine).to.deep.equal(a.affine);
      expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer))).to.equal(true);
    } finally {
      cleanup(plain);
      cleanup(trt);
    }
  });

  it('batch_inference.json: one everything-mode output per *.nii.gz of input_dir, in sorted order', async () => {
    const inputs = tempDir('batch-in');
    copyFileSync(SAMPLE, path.join(inputs, 'b_scan.nii.gz'));
    copyFileSync(SAMPLE, path.join(inputs, 'a_scan.nii.gz'));
    const run = await runVista(undefined, [...FAST, '--input_dir', inputs], ['inference.json', 'batch_inference.json']);
    try {
      expect(run.code, run.stderr).to.equal(0);
      expect(run.files.map((f) => path.relative(run.outputDir, f))).to.deep.equal([
        path.join('a_scan', 'a_scan_trans.nii.gz'),
        path.join('b_scan', 'b_scan_trans.nii.gz'),
      ]);
      const summary = JSON.parse(readFileSync(path.join(run.outputDir, 'run_summary.json'), 'utf8')) as { inputs: string[] };
      expect(summary.inputs.map((f) => path.basename(f))).to.deep.equal(['a_scan.nii.gz', 'b_scan.nii.gz']);
      for (const index of [0, 1]) {
        const out = await readOutput(run, index);
        expect(out.shape).to.deep.equal(SAMPLE_SHAPE);
        const found = [...labelCounts(out).keys()].filter((id) => id !== 0);
        expect(found.length).to.be.greaterThan(3);
        for (const id of found) expect(EVERYTHING_LABELS).to.include(id);
      }
    } finally {
      cleanup(run);
      rmSync(inputs, { recursive: true, force: true });
    }
  });

  it('`bundle run` with no config file segments the sample spleen, prints the output, the label summary and writes the preview', async () => {
    const folder = tempDir('main');
    const preview = path.join(folder, 'preview.png');
    try {
      const run = await bundleCli(['run', '--output_dir', folder, '--preview', preview]);
      expect(run.code, run.stderr).to.equal(0);
      const files = niftiFiles(folder);
      expect(files).to.have.length(1);
      expect(run.stdout).to.include(files[0]);
      const out = await readOutput({ ...run, outputDir: folder, files });
      expect(out.shape).to.deep.equal(SAMPLE_SHAPE);
      expect(out.affine).to.deep.equal(SAMPLE_AFFINE);
      const spleen = labelCounts(out).get(3) ?? 0;
      expect(spleen).to.be.greaterThan(0);
      // voxels of 27 mm³: the printed mL is the count times 0.027
      expect(run.stdout).to.match(new RegExp(`\\b3\\s+spleen\\s+${spleen}\\s+${(spleen * 0.027).toFixed(1)}\\b`));
      expect(existsSync(preview)).to.equal(true);
      const png = PNG.sync.read(readFileSync(preview));
      expect(png.width).to.be.greaterThan(png.height);
      expect(run.stdout).to.include(`preview: ${preview} (slices through label 3)`);
      expect(run.stdout).to.include('note: bundle/models holds a small demo network');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
