import { expect } from 'chai';
import { TmpDirs } from '../config/tmpBundle.js';
import { bundleCli } from './bundleCli.js';

/**
 * Python forms MONAI bundles use, which JSONata would reject only when run (T2001, T1006): `bundle check`
 * reports them with the porting table's fix, and a run that reaches one fails with the same hint.
 */
const FORMS: Array<{ id: string; value: string; message: RegExp; hint: string }> = [
  { id: 'models', value: "$@bundle_root + '/models'", message: /string concatenation with "\+"/, hint: `"$@bundle_root & '/models'"` },
  { id: 'run', value: '$@evaluator.run()', message: /"\.run\(\.\.\.\)" is a Python method call/, hint: '"$$run(@evaluator)"' },
  { id: 'net', value: "$@network_def.to('cpu')", message: /"\.to\(\.\.\.\)" is a Python method call/, hint: '"execution_providers"' },
];

describe('Python forms in expressions (built CLI)', function () {
  this.timeout(60_000);
  const tmp = new TmpDirs();
  let dir: string;
  before(() => {
    dir = tmp.bundle({
      'configs/python.json': {
        bundle_root: '.',
        network_def: { _target_: 'dict', a: 1 },
        evaluator: { _target_: 'dict', b: 2 },
        ...Object.fromEntries(FORMS.map((f) => [f.id, f.id === 'run' ? [f.value] : f.value])),
        // JSONata that only looks similar: a "+" inside a string, numbers added, a function called with "$"
        fine: ["$'a+b' & @bundle_root", '$1 + 2', '$$string(@network_def.a)'],
      },
      'configs/unet.json': { network_def: { _target_: 'monai.networks.nets.UNet', spatial_dims: 3 }, seg: { _target_: 'SegResNet' } },
    });
  });
  after(() => tmp.cleanup());

  it('bundle check reports each form with the fix from the porting table', async () => {
    const r = await bundleCli(['check', '--config_file', 'configs/python.json'], { cwd: dir });
    expect(r.code).to.equal(1);
    const errors = r.stderr.split('\n\n').filter((b) => b.startsWith('error['));
    expect(errors).to.have.length(FORMS.length);
    for (const [k, f] of FORMS.entries()) {
      expect(errors[k]).to.match(/^error\[python_expression\]/).and.match(f.message).and.contain(`(id: ${f.id === 'run' ? 'run::0' : f.id}`);
      expect(errors[k]).to.contain(f.hint);
    }
  });

  it('resolving one of them fails with the same error and hint, and the lookalikes evaluate', async () => {
    const r = await bundleCli(['resolve', 'models', '--config_file', 'configs/python.json'], { cwd: dir });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[python_expression\]/).and.contain(FORMS[0]!.hint);
    expect(r.stderr).not.to.contain('T2001');
    const fine = await bundleCli(['resolve', 'fine', '--config_file', 'configs/python.json'], { cwd: dir });
    expect(fine.code, fine.stderr).to.equal(0);
    expect(JSON.parse(fine.stdout)).to.deep.equal(['a+b.', 3, '1']);
  });

  it('a MONAI network class as a target points to ONNX, OnnxNetwork and the converter', async () => {
    const r = await bundleCli(['check', '--config_file', 'configs/unet.json'], { cwd: dir });
    expect(r.code).to.equal(1);
    const errors = r.stderr.split('\n\n').filter((b) => b.startsWith('error['));
    expect(errors).to.have.length(2);
    for (const e of errors) expect(e).to.match(/^error\[unknown_target\]/).and.contain('OnnxNetwork').and.contain('bundle convert-tfjs').and.contain('export');
  });
});
