/**
 * tools/vista3d/export_vista3d.py --check: exports a small seeded VISTA3D and compares the five ONNX graphs
 * (run by onnxruntime-node when Python has no onnxruntime) with PyTorch. Needs Python with torch and MONAI:
 * MONAI_PYTHON, else ../shared/tools/monai-python; skips with a message without them (CI has no MONAI).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasShared, repoPath, SHARED_DIR } from '../helpers/shared.js';

const EXPORT = repoPath('tools', 'vista3d', 'export_vista3d.py');

function python(ctx: Mocha.Context): string {
  const py = process.env.MONAI_PYTHON ?? (hasShared('tools', 'monai-python') ? path.join(SHARED_DIR, 'tools', 'monai-python') : 'python3');
  const probe = spawnSync(py, ['-c', 'import torch, monai'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(`      (skipped: ${py} cannot import torch and monai; set MONAI_PYTHON to a Python that can)`);
    ctx.skip();
  }
  return py;
}

function exportSmall(py: string, extra: string[]) {
  const out = mkdtempSync(path.join(tmpdir(), 'vista3d-export-'));
  const run = spawnSync(py, [EXPORT, '--random', 'small', '--seed', '1', '--patch', '32', '--output', out, '--check', ...extra], { encoding: 'utf8', cwd: repoPath() });
  return { out, run };
}

describe('export_vista3d.py --check', function () {
  this.timeout(300_000);

  it('exports the small VISTA3D and finds every graph equal to PyTorch within 1e-4', function () {
    const { out, run } = exportSmall(python(this), []);
    try {
      expect(run.status, run.stderr.slice(-2000)).to.equal(0);
      const checks = run.stdout.split('\n').filter((l) => l.startsWith('check '));
      console.log(checks.map((l) => `      ${l}`).join('\n'));
      expect(checks).to.have.length(12); // encoder (plain, half zero-padded), point and class decoders, class head K=1/3, point head N=1..3 x zero-shot
      expect(checks.every((l) => / ok \[/.test(l))).to.equal(true);
      const mb = ['encoder', 'point_decoder', 'class_decoder', 'class_head', 'point_head'].reduce((s, g) => s + statSync(path.join(out, `${g}.onnx`)).size, 0) / 1024 ** 2;
      expect(mb).to.be.below(5);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('fails with exit 1 and names the graphs when they differ by more than the tolerance', function () {
    const { out, run } = exportSmall(python(this), ['--tolerance', '0']);
    try {
      expect(run.status).to.equal(1);
      expect(run.stdout).to.match(/check encoder: .* FAIL/);
      expect(run.stderr).to.match(/export check failed/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
