/**
 * `bundle run` end to end, as users run it (a child process per case, so its peak RSS is its own): a synthetic
 * CT-like volume, the VISTA3D-style preprocessing, a thresholding ONNX network over sliding windows of 96^3,
 * Invertd and SaveImaged. Printed: wall time of the process, the per-stage times the run summary records
 * (loading+preprocessing, inference, post-processing incl. writing), what the engine adds around them
 * (start-up, loading onnxruntime, config resolution, handlers), and peak RSS. Runs the built CLI (dist/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { thresholdModel } from '../test/engine/bundleFixture.js';
import { syntheticCtFile } from './image.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// the built CLI, as users run it (npm run build first)
const main = path.resolve(here, '..', 'dist', 'cli', 'main.js');


function config(image: string, outputDir: string): unknown {
  return {
    bundle_root: '.',
    output_dir: outputDir,
    network_def: { _target_: 'OnnxNetwork', path: 'models/threshold.onnx' },
    preprocessing: {
      _target_: 'Compose',
      transforms: [
        { _target_: 'LoadImaged', keys: 'image', image_only: true },
        { _target_: 'EnsureChannelFirstd', keys: 'image' },
        { _target_: 'Spacingd', keys: 'image', pixdim: [1.5, 1.5, 1.5], mode: 'bilinear' },
        { _target_: 'CropForegroundd', keys: 'image', source_key: 'image', margin: 10, allow_smaller: true },
        { _target_: 'ScaleIntensityRanged', keys: 'image', a_min: -1000, a_max: 1000, b_min: 0, b_max: 1, clip: true },
        { _target_: 'Orientationd', keys: 'image', axcodes: 'RAS' },
      ],
    },
    dataset: { _target_: 'Dataset', data: [{ image }], transform: '@preprocessing' },
    dataloader: { _target_: 'DataLoader', dataset: '@dataset' },
    inferer: { _target_: 'SlidingWindowInferer', roi_size: [96, 96, 96], sw_batch_size: 1, overlap: 0.25 },
    postprocessing: {
      _target_: 'Compose',
      transforms: [
        { _target_: 'Invertd', keys: 'pred', transform: '@preprocessing', orig_keys: 'image', nearest_interp: true },
        { _target_: 'SaveImaged', keys: 'pred', output_dir: '@output_dir', output_dtype: 'uint8', separate_folder: false, savepath_in_metadict: true },
      ],
    },
    evaluator: { _target_: 'SupervisedEvaluator', val_data_loader: '@dataloader', network: '@network_def', inferer: '@inferer', postprocessing: '@postprocessing' },
    run: ['$$run(@evaluator)'],
  };
}

const s = (ms: number) => (ms / 1000).toFixed(2).padStart(7);

export async function run(): Promise<void> {
  const cases: Array<[number, number, number]> = [
    [256, 256, 128],
    [512, 512, 128],
  ];
  console.log('case (voxels, 0.8x0.8x1 mm)  process   load+pre  inference  post+save  engine+start  peak RSS');
  if (!existsSync(main)) {
    console.log(`skipped: ${main} is missing; run \`npm run build\` first`);
    return;
  }
  for (const shape of cases) {
    const image = await syntheticCtFile({ shape, spacing: [0.8, 0.8, 1.0] });
    const root = mkdtempSync(path.join(os.tmpdir(), 'bench-engine-'));
    try {
      mkdirSync(path.join(root, 'configs'));
      mkdirSync(path.join(root, 'models'));
      writeFileSync(path.join(root, 'models', 'threshold.onnx'), thresholdModel());
      writeFileSync(path.join(root, 'configs', 'inference.json'), JSON.stringify(config(image, path.join(root, 'eval'))));
      const t0 = performance.now();
      const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, main, 'run', '--config_file', 'configs/inference.json', '--quiet'], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 1 << 22,
      });
      const wall = performance.now() - t0;
      if (r.status !== 0) throw new Error(`bundle run failed: ${r.stderr}`);
      const peakKiB = Number(r.stderr.trim().split('\n').pop());
      const summary = JSON.parse(readFileSync(path.join(root, 'eval', 'run_summary.json'), 'utf8')) as { timings_ms: Record<string, number> };
      const t = summary.timings_ms as { preprocessing: number; inference: number; postprocessing: number; total: number };
      console.log(
        `${shape.join('x').padEnd(28)}${s(wall)} s${s(t.preprocessing)} s${s(t.inference)} s  ${s(t.postprocessing)} s   ${s(wall - t.total)} s  ${(peakKiB / 1024).toFixed(0).padStart(5)} MiB`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  console.log('engine+start = process wall time minus the stages: start-up, loading onnxruntime, config resolution, handlers, summary');
}
