/**
 * MONAI's `init_bundle`: a new bundle folder with configs/inference.json, configs/metadata.json,
 * docs/README.md and models/, ready for `bundle check` and, once models/model.onnx is in place, `bundle run`.
 * An existing non-empty folder is refused (nothing is overwritten); files are written through temp + rename,
 * and a failure removes what this call created.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { BundleError } from '../errors/index.js';
import { writeFileAtomic } from './files.js';

/** Our schema, by the name of its shipped copy in schemas/ (it has no published URL: a URL would be invented). */
export const OUR_META_SCHEMA_URL = 'bundle_meta_schema_v1.json';

export function scaffoldInferenceConfig(): Record<string, unknown> {
  return {
    bundle_root: '.',
    image_key: 'image',
    output_dir: "$@bundle_root & '/eval'",
    input_dict: { image: 'path/to/image.nii.gz' },
    network_def: { _target_: 'OnnxNetwork', path: 'models/model.onnx', execution_providers: ['cpu'] },
    network: '@network_def',
    preprocessing: {
      _target_: 'Compose',
      transforms: [
        { _target_: 'LoadImaged', keys: '@image_key', image_only: true },
        { _target_: 'EnsureChannelFirstd', keys: '@image_key' },
        { _target_: 'Orientationd', keys: '@image_key', axcodes: 'RAS' },
        { _target_: 'ScaleIntensityd', keys: '@image_key', minv: 0, maxv: 1 },
      ],
    },
    dataset: { _target_: 'Dataset', data: ['@input_dict'], transform: '@preprocessing' },
    dataloader: { _target_: 'DataLoader', dataset: '@dataset', batch_size: 1, shuffle: false, num_workers: 0 },
    inferer: { _target_: 'SlidingWindowInferer', roi_size: [96, 96, 96], sw_batch_size: 1, overlap: 0.25 },
    postprocessing: {
      _target_: 'Compose',
      transforms: [
        { _target_: 'AsDiscreted', keys: 'pred', argmax: true },
        { _target_: 'Invertd', keys: 'pred', transform: '@preprocessing', orig_keys: '@image_key', nearest_interp: true },
        { _target_: 'SaveImaged', keys: 'pred', output_dir: '@output_dir', output_postfix: 'seg', output_dtype: 'uint8', separate_folder: false },
      ],
    },
    handlers: [{ _target_: 'StatsHandler', iteration_log: true }],
    evaluator: {
      _target_: 'SupervisedEvaluator',
      val_data_loader: '@dataloader',
      network: '@network',
      inferer: '@inferer',
      postprocessing: '@postprocessing',
      val_handlers: '@handlers',
    },
    run: ['$$run(@evaluator)'],
  };
}

export function scaffoldMetadata(name: string): Record<string, unknown> {
  return {
    schema: OUR_META_SCHEMA_URL,
    version: '0.1.0',
    changelog: { '0.1.0': 'initial version' },
    name,
    task: 'describe the task, e.g. segmentation of the spleen in CT',
    description: 'describe the bundle: the network, its training data and its outputs',
    authors: 'your name',
    copyright: 'Copyright (c) your name',
    intended_use: 'not for diagnostic use',
    references: [],
    network_data_format: {
      inputs: {
        image: {
          type: 'image', format: 'magnitude', modality: 'CT', num_channels: 1,
          spatial_shape: [96, 96, 96], dtype: 'float32', value_range: [0, 1], is_patch_data: true,
          channel_def: { '0': 'image' },
        },
      },
      outputs: {
        pred: {
          type: 'image', format: 'segmentation', num_channels: 2,
          spatial_shape: [96, 96, 96], dtype: 'float32', value_range: [], is_patch_data: true,
          channel_def: { '0': 'background', '1': 'foreground' },
        },
      },
    },
  };
}

function readme(name: string): string {
  return `# ${name}

A MONAI-style bundle for the TypeScript bundle interpreter.

## Layout
- \`configs/inference.json\`: the inference workflow (\`bundle run --config_file configs/inference.json\`)
- \`configs/metadata.json\`: what the network takes and gives (\`bundle verify_metadata --meta_file configs/metadata.json\`)
- \`models/model.onnx\`: the network, as ONNX (put it there; \`bundle verify_net_in_out network_def --config_file configs/inference.json\` checks it against the metadata)

## Running
\`\`\`
bundle run --config_file configs/inference.json --input_dict '{"image": "/data/scan.nii.gz"}'
\`\`\`
Outputs go to \`<bundle_root>/eval/\`, with \`run_summary.json\` there describing the run. \`bundle_root\` is
\`.\`, the folder \`bundle run\` is started from (MONAI's convention), so run it from this folder, or choose the
folder with \`--output_dir <folder>\`. Without \`--output_dir\`, writes are confined to this bundle's folder and the
current directory (\`--allow_write_outside\` lifts that); a failed run creates no output folder.

## Licence
State the licence of the configs and of the model weights here.
`;
}

/** Creates the bundle at `dir` and returns the files written (absolute paths). */
export function initBundle(dir: string, options: { name?: string } = {}): string[] {
  const root = path.resolve(dir);
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) {
      throw new BundleError('usage', `${dir} exists and is not a folder.`, { hint: 'name a new folder for the bundle', location: { file: root } });
    }
    if (readdirSync(root).length > 0) {
      throw new BundleError('usage', `${dir} is not empty; init_bundle does not overwrite an existing bundle.`, {
        hint: 'name a new (or empty) folder for the bundle',
        location: { file: root },
      });
    }
  }
  const name = options.name ?? path.basename(root);
  const files: Array<[string, string]> = [
    ['configs/inference.json', JSON.stringify(scaffoldInferenceConfig(), null, 4) + '\n'],
    ['configs/metadata.json', JSON.stringify(scaffoldMetadata(name), null, 4) + '\n'],
    ['docs/README.md', readme(name)],
  ];
  const createdRoot = !existsSync(root);
  const written: string[] = [];
  try {
    for (const [rel, text] of files) {
      const file = path.join(root, rel);
      writeFileAtomic(file, text);
      written.push(file);
    }
    mkdirSync(path.join(root, 'models'), { recursive: true });
  } catch (e) {
    if (createdRoot) rmSync(root, { recursive: true, force: true });
    else for (const sub of ['configs', 'docs', 'models']) rmSync(path.join(root, sub), { recursive: true, force: true });
    throw e;
  }
  return written;
}
