import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { TmpDirs } from '../config/tmpBundle.js';
import { makeThresholdBundle } from '../engine/bundleFixture.js';
import { bundleCli, CLI } from './bundleCli.js';

/** What `bundle run` writes on stderr for programs (--json) and when interrupted (Ctrl-C). */
describe('bundle run on stderr (built CLI)', function () {
  this.timeout(120_000);
  const tmp = new TmpDirs();
  let root: string;
  before(async () => (root = await makeThresholdBundle()));
  after(() => {
    rmSync(root, { recursive: true, force: true });
    tmp.cleanup();
  });

  it('with --json every stderr line is one JSON object: log lines, progress and the error', async () => {
    const ok = await bundleCli(['run', '--config_file', 'configs/inference.json', '--json', '--log_level', 'debug'], { cwd: root });
    expect(ok.code, ok.stderr).to.equal(0);
    const lines = ok.stderr.trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as { level: string; message: string });
    expect(parsed.map((p) => p.level)).to.include.members(['info', 'progress']);
    expect(parsed.some((p) => p.message.includes('evaluator: item 1/1'))).to.equal(true);
    const bad = await bundleCli(['run', '--config_file', 'configs/inference.json', '--json', '--network_def::path', 'models/none.onnx'], { cwd: root });
    expect(bad.code).to.equal(1);
    for (const line of bad.stderr.trim().split('\n')) expect(() => JSON.parse(line), line).not.to.throw();
  });

  it('Ctrl-C during inference prints one "interrupted" line, exits 130 and writes no output', async () => {
    const out = tmp.bundle({});
    // the shipped bundle: its sliding-window inference runs for seconds, long enough to interrupt
    const child = spawn(process.execPath, [CLI, 'run', '--output_dir', out, '--no-summary']);
    let stderr = '';
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve) =>
        child.stderr.on('data', (d) => {
          stderr += d;
          if (stderr.includes('item 1/1')) resolve();
        }),
      );
      child.kill('SIGINT');
      expect(await exit, stderr).to.equal(130);
    } finally {
      child.kill('SIGKILL'); // a no-op once it has exited
    }
    expect(stderr.trim().split('\n').at(-1)).to.equal('interrupted');
    expect(stderr.match(/interrupted/g)).to.have.length(1);
    expect(readdirSync(out)).to.deep.equal([]);
  });
});
