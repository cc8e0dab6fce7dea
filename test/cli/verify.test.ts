import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers/shared.js';
import { thresholdModel } from '../engine/bundleFixture.js';
import { bundleCli } from './bundleCli.js';

const MONAI_META = repoPath('test/fixtures/engine/metadata_monai.json');

describe('bundle verify_metadata', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'cli-verify-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a MONAI model-zoo metadata.json offline', async () => {
    const r = await bundleCli(['verify_metadata', '--meta_file', MONAI_META]);
    expect(r.code).to.equal(0, r.stderr);
    expect(r.stdout).to.contain('valid against monai_meta_schema_20240725.json');
  });

  it('lists every problem with its JSON path and exits 1', async () => {
    const meta = JSON.parse(readFileSync(MONAI_META, 'utf8'));
    delete meta.authors;
    meta.network_data_format.outputs.pred.num_channels = 'two';
    const file = path.join(dir, 'metadata.json');
    writeFileSync(file, JSON.stringify(meta));
    const r = await bundleCli(['verify_metadata', '--meta_file', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('error[invalid_metadata]: /authors is required but missing');
    expect(r.stderr).to.contain('error[invalid_metadata]: /network_data_format/outputs/pred/num_channels must be integer');
    expect(r.stderr).to.contain('2 problems');
  });

  it('names the shipped schemas when the metadata names another', async () => {
    const file = path.join(dir, 'metadata.json');
    writeFileSync(file, JSON.stringify({ schema: 'https://example.org/meta_schema_20200101.json' }));
    const r = await bundleCli(['verify_metadata', '--meta_file', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('error[invalid_metadata]').and.contain('monai_meta_schema_20240725.json');
  });

  it('is a usage error without --meta_file', async () => {
    const r = await bundleCli(['verify_metadata']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^error\[usage\]/);
  });
});

describe('bundle verify_net_in_out', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cli-netio-'));
    cpSync(repoPath('test/fixtures/engine/threshold_bundle'), root, { recursive: true });
    mkdirSync(path.join(root, 'models'), { recursive: true });
    writeFileSync(path.join(root, 'models', 'threshold.onnx'), thresholdModel());
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('runs the network on random input of the declared shape and accepts it', async () => {
    const r = await bundleCli(['verify_net_in_out', 'network_def', '--config_file', path.join(root, 'configs', 'inference.json'), '--n', '2']);
    expect(r.code).to.equal(0, r.stderr);
    expect(r.stdout).to.contain('input [1, 1, 32, 32, 32] -> output [1, 1, 32, 32, 32] float32');
  });

  it('reports a channel count that differs from the metadata, exit 1', async () => {
    const r = await bundleCli([
      'verify_net_in_out', 'network_def', '--config_file', path.join(root, 'configs', 'inference.json'),
      '--_meta_::network_data_format::outputs::pred::num_channels', '3',
    ]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[shape_mismatch\]: The network's output has 1 channels but the metadata declares 3/);
  });
});
