import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { repoPath } from '../helpers/shared.js';

/**
 * onnxruntime writes its own log straight to the process's stderr (fd 2), where mocha cannot capture it.
 * Every session, the product's and the tests' helpers alike, goes through loadOrt, which limits that log to
 * fatal errors; so a provider fallback shows our one warning and no red native "Failed to load library" lines,
 * whichever test loads onnxruntime first.
 */
describe('onnxruntime native log', function () {
  this.timeout(120_000);

  it('a test helper session first, then a cuda-to-cpu fallback: nothing native on stderr', () => {
    const script = `
      import { runModel } from ${JSON.stringify(repoPath('test', 'inference', 'onnx', 'runModel.ts'))};
      import { GraphBuilder } from ${JSON.stringify(repoPath('src', 'inference', 'onnx', 'build.ts'))};
      import { onnxNetworkEntry } from ${JSON.stringify(repoPath('src', 'inference', 'entries.ts'))};
      import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
      import os from 'node:os';
      import path from 'node:path';
      const g = new GraphBuilder('id');
      g.input('x', 'float32', [1]);
      g.node('Identity', ['x'], ['y']);
      g.output('y', 'float32', [1]);
      const bytes = g.toModel({ opset: 17 });
      await runModel(bytes, { x: { type: 'float32', dims: [1], data: new Float32Array([2]) } });
      const dir = mkdtempSync(path.join(os.tmpdir(), 'nativelog-'));
      writeFileSync(path.join(dir, 'id.onnx'), bytes);
      const warnings = [];
      const logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
      const net = onnxNetworkEntry.create({ path: 'id.onnx', execution_providers: ['cuda', 'cpu'] }, { id: 'net', bundleRoot: dir, logger });
      await net.load();
      rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify({ provider: net.provider, warnings }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoPath(), encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { provider: string; warnings: string[] };
    expect(result.provider).to.equal('cpu');
    expect(result.warnings).to.have.length(1);
    expect(result.warnings[0]).to.match(/cuda/);
    expect(r.stderr).not.to.match(/onnxruntime|Failed to load/);
  });
});
