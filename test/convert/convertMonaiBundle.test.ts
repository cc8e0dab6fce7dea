/** `bundle convert` on real model-zoo bundle folders (configs only, test/fixtures/zoo). */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultRegistry } from '../../src/cli/registry.js';
import { loadConfig } from '../../src/config/index.js';
import { convertMonaiBundle } from '../../src/convert/convertMonaiBundle.js';
import { BundleError } from '../../src/errors/index.js';
import type { Volume } from '../../src/image/Volume.js';
import type { Transform } from '../../src/transforms/Transform.js';
import { repoPath } from '../helpers/shared.js';
import { makeVolume } from '../transforms/volumes.js';

const zoo = (name: string) => repoPath('test', 'fixtures', 'zoo', name);
const registry = defaultRegistry();
const options = { knownTarget: (name: string) => registry.has(name) };

describe('convert: model-zoo bundles', () => {
  let work: string;
  beforeEach(() => (work = mkdtempSync(path.join(tmpdir(), 'convert-zoo-'))));
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('converts spleen_ct_segmentation completely, and the result passes bundle check', async () => {
    const out = path.join(work, 'spleen');
    const summary = convertMonaiBundle(zoo('spleen_ct_segmentation'), out, options);
    expect(summary.problems).to.deep.equal([]);
    const config = JSON.parse(readFileSync(path.join(out, 'configs', 'inference.json'), 'utf8'));
    expect(Object.keys(config).slice(0, 4)).to.deep.equal(['bundle_root', 'image_key', 'output_dir', 'output_ext']);
    expect(config.network_def).to.deep.equal({ _target_: 'OnnxNetwork', path: 'models/model.onnx', input_names: ['image'], output_names: ['pred'] });
    expect(config.network).to.equal('@network_def');
    expect(config.datalist).to.equal("$$glob(@dataset_dir & '/imagesTs', '*.nii.gz')");
    expect(config.dataset.data).to.equal("$[$map(@datalist, function($i){ {'image': $i} })]");
    expect(config.output_dtype).to.equal('float32');
    expect(config).to.not.have.any.keys('imports', 'checkpointloader');
    expect(config.initialize).to.deep.equal([]);
    expect(config.run).to.deep.equal(['$$run(@evaluator)']);
    // every drop is in the report with its line
    const report = readFileSync(path.join(out, 'CONVERSION.md'), 'utf8');
    expect(report).to.include('| configs/inference.json:151 | `checkpointloader` |');
    expect(report).to.include('| configs/inference.json:3 | `imports::0` | `$import glob` |');
    expect(report).to.match(/export_network\.py \S+spleen_ct_segmentation --weights \S+model\.pt --out \S+models\/model\.onnx/);
    expect(summary.copiedUnchanged.map((c) => c.file)).to.deep.equal([path.join('configs', 'train.json')]);
    expect(readFileSync(path.join(out, 'configs', 'train.json'), 'utf8')).to.equal(readFileSync(path.join(zoo('spleen_ct_segmentation'), 'configs', 'train.json'), 'utf8'));
    expect(existsSync(path.join(out, 'LICENSE'))).to.equal(true);

    const loaded = await loadConfig({ configFiles: [path.join(out, 'configs', 'inference.json')], registry });
    expect(await loaded.check()).to.deep.equal([]);
    expect(await loaded.resolve('output_dir')).to.equal('./eval');
  });

  it('keeps YAML comments and order, and drops StatsHandler\'s output_transform lambda with a note (segmentation_template)', () => {
    const out = path.join(work, 'template');
    const summary = convertMonaiBundle(zoo('segmentation_template'), out, options);
    const text = readFileSync(path.join(out, 'configs', 'inference.yaml'), 'utf8');
    expect(text).to.include('# hyperparameters for you to modify on the command line');
    expect(text).to.include("ckpt_path: $@bundle_root & '/models/model.pt' # checkpoint to load before starting");
    const config = parseYaml(text);
    expect(config.image).to.equal('image');
    expect(config.data_list).to.equal('$$glob(@dataset_dir, @file_pattern)');
    expect(summary.problems).to.deep.equal([]);
    expect(config.handlers).to.deep.equal([{ _target_: 'StatsHandler', name: null }]);
    const report = readFileSync(path.join(out, 'CONVERSION.md'), 'utf8');
    expect(report).to.match(/\| configs\/inference\.yaml:100 \| `handlers::1::output_transform` \| `\$lambda x: None` \| dropped: output_transform selects the loss/);
  });

  it('writes brats_mri_segmentation\'s channel-priority lambda as ChannelsToLabeld, with a note, and the result passes bundle check', async () => {
    const out = path.join(work, 'brats');
    const summary = convertMonaiBundle(zoo('brats_mri_segmentation'), out, options);
    expect(summary.problems.filter((p) => p.file === 'configs/inference.json')).to.deep.equal([]);
    const config = JSON.parse(readFileSync(path.join(out, 'configs', 'inference.json'), 'utf8'));
    expect(config.postprocessing.transforms[3]).to.deep.equal({
      _target_: 'ChannelsToLabeld', keys: 'pred', channels: [2, 0, 1], labels: [4, 1, 2], threshold: 0, comparison: '>', background: 0, dtype: 'int32',
    });
    const report = readFileSync(path.join(out, 'CONVERSION.md'), 'utf8');
    expect(report).to.match(/\| configs\/inference\.json:\d+ \| `postprocessing::transforms::3` \| `\$lambda x: torch\.where\(x\[\[2\]\] > 0.*written as ChannelsToLabeld/);
    expect(config.dataloader.shuffle).to.equal(false);
    expect(report).to.match(/\| configs\/inference\.json:65 \| `dataloader::shuffle` \| `true` \| set to false: shuffle only changes the order/);
    const loaded = await loadConfig({ configFiles: [path.join(out, 'configs', 'inference.json')], registry });
    expect(await loaded.check()).to.deep.equal([]);
    // channel 2 wins over 0, which wins over 1; none above 0 is background
    const post = (await loaded.resolve('postprocessing::transforms::3')) as Transform;
    const pred = makeVolume([/* channel 0 */ 1, 1, 0, 0, /* 1 */ 1, 1, 1, 0, /* 2 */ 0, 1, 0, 0], [3, 4, 1, 1]);
    const labels = ((await post.apply({ pred })).pred as Volume).data;
    expect(Array.from(labels)).to.deep.equal([1, 4, 2, 0]);
  });

  it('writes a label-mapping Lambdad as MONAI\'s MapLabelValued, which then maps as the lambda did', async () => {
    const out = path.join(work, 'mapped');
    const src = path.join(work, 'src');
    mkdirSync(path.join(src, 'configs'), { recursive: true });
    const lambda = { _target_: 'Lambdad', keys: 'pred', func: '$lambda x: torch.where(x == 1, 2, torch.where(2 == x, 3, np.where(x == 4, -1.5, x)))' };
    writeFileSync(path.join(src, 'configs', 'inference.json'), JSON.stringify({ post: { _target_: 'Compose', transforms: [lambda] } }));
    const summary = convertMonaiBundle(src, out, options);
    expect(summary.problems).to.deep.equal([]);
    const config = JSON.parse(readFileSync(path.join(out, 'configs', 'inference.json'), 'utf8'));
    expect(config.post.transforms[0]).to.deep.equal({ _target_: 'MapLabelValued', keys: 'pred', orig_labels: [1, 2, 4], target_labels: [2, 3, -1.5] });
    const post = (await (await loadConfig({ configFiles: [path.join(out, 'configs', 'inference.json')], registry })).resolve('post')) as Transform;
    const pred = makeVolume([0, 1, 2, 3, 4], [1, 5, 1, 1]);
    expect(Array.from(((await post.apply({ pred })).pred as Volume).data)).to.deep.equal([0, 2, 3, 3, -1.5]);
  });

  it('writes a channel-rules Lambdad with a mirrored comparison and float labels as ChannelsToLabeld in float32', () => {
    const src = path.join(work, 'src');
    mkdirSync(path.join(src, 'configs'), { recursive: true });
    const lambda = { _target_: 'Lambdad', keys: ['pred'], func: '$lambda y: np.where(0.5 <= y[[1]], 2.5, np.where(0.5 <= y[ [0] ], -1, 0))' };
    writeFileSync(path.join(src, 'configs', 'inference.json'), JSON.stringify({ post: lambda }));
    expect(convertMonaiBundle(src, path.join(work, 'out'), options).problems).to.deep.equal([]);
    expect(JSON.parse(readFileSync(path.join(work, 'out', 'configs', 'inference.json'), 'utf8')).post).to.deep.equal({
      _target_: 'ChannelsToLabeld', keys: ['pred'], channels: [1, 0], labels: [2.5, -1], threshold: 0.5, comparison: '>=', background: 0, dtype: 'float32',
    });
  });

  for (const func of [
    '$lambda x: torch.where(x > 1, 2, x)', '$lambda x: torch.where(x == 1, 2, 0)', '$lambda x, y: torch.where(x == 1, 2, x)', '$lambda x: torch.where(y == 1, 2, x)',
    // channel rules it cannot prove equal: x[2] drops the channel axis; thresholds or comparisons differ; a computed value or else; a negative index
    '$lambda x: torch.where(x[2] > 0, 4, 0)', '$lambda x: torch.where(x[[2]] > 0, 4, torch.where(x[[0]] > 0.5, 1, 0))',
    '$lambda x: torch.where(x[[2]] > 0, 4, torch.where(x[[0]] >= 0, 1, 0))', '$lambda x: torch.where(x[[2]] > 0, x[[1]], 0)',
    '$lambda x: torch.where(x[[2]] > 0, 4, x[[0]])', '$lambda x: torch.where(x[[-1]] > 0, 4, 0)', '$lambda x: torch.where(x[[0, 1]] > 0, 4, 0)',
  ]) {
    it(`reports ${func} (neither a label mapping nor channel rules) instead of guessing`, () => {
      const src = path.join(work, 'src');
      mkdirSync(path.join(src, 'configs'), { recursive: true });
      writeFileSync(path.join(src, 'configs', 'inference.json'), JSON.stringify({ post: { _target_: 'Lambdad', keys: 'pred', func } }));
      const summary = convertMonaiBundle(src, path.join(work, 'out'), options);
      expect(summary.problems.map((p) => [p.id, p.original])).to.deep.equal([['post::func', func]]);
    });
  }

  it('refuses a folder that is not a bundle, and a non-empty output folder, writing nothing', () => {
    expect(() => convertMonaiBundle(work, path.join(work, 'x'), options)).to.throw(BundleError).with.property('kind', 'config_file_not_found');
    writeFileSync(path.join(work, 'keep.txt'), 'mine');
    expect(() => convertMonaiBundle(zoo('spleen_ct_segmentation'), work, options)).to.throw(BundleError).with.property('kind', 'usage');
    expect(readFileSync(path.join(work, 'keep.txt'), 'utf8')).to.equal('mine');
    expect(existsSync(path.join(work, 'x'))).to.equal(false);
  });
});
