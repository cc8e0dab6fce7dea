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

  it('MONAI\'s 20220324 schema (not shipped): says so, and --schema <file> validates against a local copy', async () => {
    const meta = JSON.parse(readFileSync(MONAI_META, 'utf8'));
    meta.schema = 'https://github.com/Project-MONAI/MONAI-extra-test-data/releases/download/0.8.1/meta_schema_20220324.json';
    const file = path.join(dir, 'metadata_2022.json');
    writeFileSync(file, JSON.stringify(meta));
    const r = await bundleCli(['verify_metadata', '--meta_file', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("names MONAI's schema meta_schema_20220324.json, whose file is not shipped").and.contain('--schema <file>');
    const local = path.join(dir, 'local_schema.json');
    writeFileSync(local, readFileSync(repoPath('schemas', 'monai_meta_schema_20240725.json')));
    const ok = await bundleCli(['verify_metadata', '--meta_file', file, '--schema', local]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain('valid against local_schema.json');
    const missing = await bundleCli(['verify_metadata', '--meta_file', file, '--schema', path.join(dir, 'none.json')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/^error\[usage\]: The schema file .*none\.json does not exist/);
  });

  it('a scaffold from init_bundle names a schema that is shipped, and validates', async () => {
    const made = path.join(dir, 'scaffold');
    expect((await bundleCli(['init_bundle', made])).code).to.equal(0);
    const meta = JSON.parse(readFileSync(path.join(made, 'configs', 'metadata.json'), 'utf8'));
    expect(meta.schema).to.equal('bundle_meta_schema_v1.json');
    const r = await bundleCli(['verify_metadata', '--meta_file', path.join(made, 'configs', 'metadata.json')]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('valid against bundle_meta_schema_v1.json');
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
