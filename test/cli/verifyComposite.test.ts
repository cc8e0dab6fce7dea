import { expect } from 'chai';
import { repoPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

/** verify_net_in_out on VISTA3D's three-graph network: each graph against the contract Vista3dNetwork declares. */
describe('verify_net_in_out on a composite network (built CLI)', function () {
  this.timeout(120_000);
  const CONFIG = repoPath('bundle', 'configs', 'inference.json');

  it('checks the encoder, class head and point head of the shipped VISTA3D network', async () => {
    const r = await bundleCli(['verify_net_in_out', 'network_def', '--config_file', CONFIG]);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).to.equal('network_def: every graph matches its contract on input [1, 1, 16, 16, 16]');
    expect(lines[1]).to.match(/^ {2}encoder: image \[1, 1, 16, 16, 16\] float32 -> feat_point \[1, (\d+), 16, 16, 16\] float32, feat_auto \[1, \1, 16, 16, 16\] float32$/);
    expect(lines[2]).to.equal('  class head: feat_auto, class_ids [2, 1] int64 -> logits [1, 2, 16, 16, 16] float32');
    expect(lines[3]).to.equal('  point head: feat_point, coords [1, 1, 3], labels [1, 1], zeroshot [1] -> logits [1, 1, 16, 16, 16] float32');
    const larger = await bundleCli(['verify_net_in_out', '--config_file', CONFIG, '--n', '2']);
    expect(larger.stdout).to.contain('on input [1, 1, 32, 32, 32]');
  });

  it('a graph that breaks the contract fails with exit 1 naming that graph', async () => {
    const r = await bundleCli(['verify_net_in_out', '--config_file', CONFIG, '--network_def::point_head', '@network_def::class_head']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[model_error\]: The VISTA3D point head takes inputs \["feat_auto","class_ids"\]; expected 4 inputs/);
  });
});
