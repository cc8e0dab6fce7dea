import { expect } from 'chai';
import { repoPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

/** MONAI's option names: the meaningful ones work (verify_net_in_out --net_id, --device), the rest are refused with a hint. */
describe('MONAI option names (built CLI)', function () {
  this.timeout(120_000);
  const CONFIG = repoPath('examples', 'brain-meshnet', 'configs', 'inference.json');

  it('verify_net_in_out --net_id names the network; --device cuda runs it on cuda or falls back with a warning', async () => {
    const r = await bundleCli(['verify_net_in_out', '--config_file', CONFIG, '--net_id', 'network_def', '--device', 'cuda']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^network_def: input \[.*\] -> output \[1, 3, .*\] float32; 3 channels and float32 as declared/);
    expect(r.stderr).to.match(/warning: execution provider cuda .*unavailable; running model5_gw_ae\.onnx on cpu/);
    const cpu = await bundleCli(['verify_net_in_out', '--config_file', CONFIG, '--device', 'cpu']);
    expect(cpu.code, cpu.stderr).to.equal(0);
    expect(cpu.stderr).not.to.contain('warning');
  });

  it('a --net_id naming something else than the network fails on that id', async () => {
    const r = await bundleCli(['verify_net_in_out', '--config_file', CONFIG, '--net_id', 'inferer']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('inferer');
  });

  const refused: Array<[string[], RegExp, string]> = [
    [['verify_net_in_out', '--config_file', CONFIG, '--device', 'gpu'], /--device must be "cpu" or "cuda"/, 'execution_providers'],
    [['run', '--config_file', CONFIG, '--logging_file', 'logging.conf'], /bundle run does not take MONAI's --logging_file/, '--log_level'],
    [['run', '--config_file', CONFIG, '--tracking', 'mlflow'], /bundle run does not take MONAI's --tracking/, 'run_summary.json'],
    [['verify_net_in_out', '--config_file', CONFIG, '--tracking', 'mlflow'], /does not take MONAI's --tracking/, 'not available'],
  ];
  for (const [args, message, hint] of refused) {
    it(`${args[0]} ${args.slice(-2).join(' ')}: usage error with a hint, nothing run`, async () => {
      const r = await bundleCli(args);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(message).and.contain(hint);
      expect(r.stdout).to.equal('');
    });
  }
});
