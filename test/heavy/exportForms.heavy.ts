/**
 * tools/monai/check_onnx_forms.py: export_network.py's export forms (for_onnx) on single layers the zoo networks
 * do not all exercise (transposed convolutions with bias, anisotropic and 1D/2D kernels, batches > 1, odd sizes),
 * each run by onnxruntime-node at two sizes against torch. Needs ../shared/tools/monai-python with torch; skips
 * and says so without it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { repoPath, sharedPath } from '../helpers/shared.js';

interface FormCase {
  case: string;
  ops: string[];
  max_abs_diff: Record<string, number>;
}

describe('export_network.py forms vs torch (check_onnx_forms.py)', function () {
  this.timeout(300_000);

  it('exports stride == kernel transposed convolutions without ConvTranspose, equal to torch within 1e-5 at two sizes', function () {
    const exe = sharedPath(this, 'tools', 'monai-python');
    const r = spawnSync(exe, [repoPath('tools', 'monai', 'check_onnx_forms.py')], { encoding: 'utf8', cwd: repoPath() });
    if (r.status !== 0 && /No module named '(torch|monai|onnx)'/.test(r.stderr)) {
      console.log(`      (skipped: torch, onnx or MONAI is not importable by ${exe})`);
      this.skip();
    }
    expect(r.status, r.stderr.slice(-2000)).to.equal(0);
    const cases = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as FormCase);
    expect(cases).to.have.length(6);
    for (const c of cases) {
      const kept = c.case.includes('(kept)');
      expect(c.ops.includes('ConvTranspose'), `${c.case}: ${c.ops.join(', ')}`).to.equal(kept);
      expect(Object.keys(c.max_abs_diff)).to.have.length(2);
      for (const [shape, diff] of Object.entries(c.max_abs_diff)) expect(diff, `${c.case} at ${shape}`).to.be.at.most(1e-5);
    }
  });
});
