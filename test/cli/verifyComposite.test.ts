import { expect } from 'chai';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../bundle/vistaRun.js';
import { repoPath } from '../helpers/shared.js';
import { classHeadModel, encoderModel, pointHeadModel } from '../apps/vista3d/fakeNetwork.js';
import { bundleCli } from './bundleCli.js';

/** verify_net_in_out on VISTA3D's five-graph network: each graph against the contract Vista3dNetwork declares. */
describe('verify_net_in_out on a composite network (built CLI)', function () {
  this.timeout(120_000);
  const CONFIG = repoPath('bundle', 'configs', 'inference.json');

  it('checks the encoder, both decoders and both heads of the shipped VISTA3D network', async () => {
    const r = await bundleCli(['verify_net_in_out', 'network_def', '--config_file', CONFIG]);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).to.equal('network_def: every graph matches its contract on input [1, 1, 16, 16, 16]');
    expect(lines.slice(1, 6)).to.deep.equal([
      '  encoder: image [1, 1, 16, 16, 16] float32 -> bands [1, 16, 16, 16, 16] float32',
      '  class decoder: -> class_features [1, 16, 16, 16, 16] float32',
      '  class head: class_features, class_ids [2, 1] int64 -> logits [1, 2, 16, 16, 16] float32',
      '  point decoder: -> feat_point [1, 16, 16, 16, 16] float32',
      '  point head: feat_point, coords [1, 1, 3], labels [1, 1], zeroshot [1] -> logits [1, 1, 16, 16, 16] float32',
    ]);
    const larger = await bundleCli(['verify_net_in_out', '--config_file', CONFIG, '--n', '2']);
    expect(larger.stdout).to.contain('on input [1, 1, 32, 32, 32]');
  });

  it('a graph that breaks the contract fails with exit 1 naming that graph', async () => {
    const r = await bundleCli(['verify_net_in_out', '--config_file', CONFIG, '--network_def::point_head', '@network_def::class_head']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[model_error\]: The VISTA3D point head takes inputs \["class_features","class_ids"\]; expected 4 inputs/);
  });

  it('an older three-graph export (no decoders) still loads and passes', async () => {
    const dir = tempDir('legacy');
    const graphs = { encoder: encoderModel(), class_head: classHeadModel('feat_auto'), point_head: pointHeadModel() };
    const args = Object.entries(graphs).flatMap(([name, bytes]) => {
      writeFileSync(path.join(dir, `${name}.onnx`), bytes);
      return [`--network_def::${name}::path`, path.join(dir, `${name}.onnx`)];
    });
    // the decoder files the config names are absent too: an older export has none
    for (const d of ['point_decoder', 'class_decoder']) args.push(`--network_def::${d}::path`, path.join(dir, `${d}.onnx`));
    const r = await bundleCli(['verify_net_in_out', 'network_def', '--config_file', CONFIG, ...args]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n').slice(1, 4)).to.deep.equal([
      '  encoder: image [1, 1, 16, 16, 16] float32 -> feat_point [1, 1, 16, 16, 16] float32, feat_auto [1, 1, 16, 16, 16] float32',
      '  class head: feat_auto, class_ids [2, 1] int64 -> logits [1, 2, 16, 16, 16] float32',
      '  point head: feat_point, coords [1, 1, 3], labels [1, 1], zeroshot [1] -> logits [1, 1, 16, 16, 16] float32',
    ]);
  });

  it('an encoder of the older three-graph export beside five-graph heads fails with exit 1, telling to re-export', async () => {
    const dir = tempDir('mixed');
    const encoder = path.join(dir, 'encoder.onnx');
    writeFileSync(encoder, encoderModel()); // returns feat_point and feat_auto
    const r = await bundleCli(['verify_net_in_out', '--config_file', CONFIG, '--network_def::encoder::path', encoder]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[model_error\]: The VISTA3D encoder is a three-graph export .* but the class head takes class_features/);
    expect(r.stderr).to.contain('re-export all graphs together with tools/vista3d/export_vista3d.py');
  });
});
