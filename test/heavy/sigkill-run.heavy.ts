/**
 * SIGKILL during `bundle run` (issue 13, item 3): 20 runs of the threshold test bundle killed at random
 * moments into one output folder. After every kill, no file a user could take for a result is there: every
 * visible file is a whole result (byte-identical to a clean run's) or a whole run summary; temporary files
 * are hidden, and the next run removes them and succeeds. Two concurrent runs into one folder leave whole
 * files only. Needs a built CLI (`npm run build`).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../cli/bundleCli.js';
import { makeThresholdBundle } from '../engine/bundleFixture.js';
import { filesUnder } from '../helpers/files.js';

const OUTPUT = path.join('phantom', 'phantom_seg.nii.gz');
const TEMP = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/;

function run(root: string, out: string, killAfterMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, 'run', '--config_file', 'configs/inference.json', '--output_dir', out, '--quiet'], { cwd: root, stdio: 'ignore' });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - t0 });
    });
  });
}

function files(dir: string): string[] {
  return filesUnder(dir).map((f) => path.relative(dir, f));
}

/** Visible files that are not whole results; hidden temporary files are listed apart. */
function inspect(out: string, reference: Buffer): { partial: string[]; temps: string[] } {
  const partial: string[] = [];
  const temps: string[] = [];
  for (const rel of files(out)) {
    if (TEMP.test(path.basename(rel))) {
      temps.push(rel);
      continue;
    }
    const bytes = readFileSync(path.join(out, rel));
    if (rel === OUTPUT) {
      if (!bytes.equals(reference)) partial.push(rel);
    } else if (rel === 'run_summary.json') {
      try {
        JSON.parse(bytes.toString('utf8'));
      } catch {
        partial.push(rel);
      }
    } else partial.push(rel);
  }
  return { partial, temps };
}

describe('SIGKILL during bundle run', function () {
  this.timeout(20 * 60_000);
  let root: string;
  let reference: Buffer;
  let cleanMs: number;
  before(async () => {
    root = await makeThresholdBundle();
    const clean = await run(root, path.join(root, 'reference'));
    expect(clean.code).to.equal(0);
    cleanMs = clean.ms;
    reference = readFileSync(path.join(root, 'reference', OUTPUT));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('20 kills at random moments leave only whole results and hidden temp files; the next run cleans up and succeeds', async () => {
    const out = path.join(root, 'killed');
    const seen = { killed: 0, tempsLeft: 0, outputsSeen: 0 };
    for (let trial = 0; trial < 20; trial++) {
      // spread over the whole run, most of it in the second half where the inference and the writes are
      const at = Math.round(cleanMs * (trial < 5 ? Math.random() : 0.5 + 0.6 * Math.random()));
      const r = await run(root, out, at);
      if (r.signal === 'SIGKILL') seen.killed++;
      const after = inspect(out, reference);
      expect(after.partial, `trial ${trial} killed at ${at} ms`).to.deep.equal([]);
      seen.tempsLeft += after.temps.length;
      if (files(out).includes(OUTPUT)) seen.outputsSeen++;
    }
    const rerun = await run(root, out);
    expect(rerun.code).to.equal(0);
    const final = inspect(out, reference);
    expect(final).to.deep.equal({ partial: [], temps: [] });
    expect(readFileSync(path.join(out, OUTPUT)).equals(reference)).to.equal(true);
    process.stdout.write(`      clean run ${cleanMs} ms; ${seen.killed}/20 runs killed; ${seen.tempsLeft} temp files left by kills (all removed by the rerun)\n`);
    expect(seen.killed, 'most kills land before the run ends').to.be.at.least(10);
  });

  it('two concurrent runs into one output folder leave whole files only', async () => {
    const out = path.join(root, 'concurrent');
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([run(root, out), run(root, out)]);
      expect([a.code, b.code]).to.deep.equal([0, 0]);
      expect(inspect(out, reference)).to.deep.equal({ partial: [], temps: [] });
      expect(JSON.parse(readFileSync(path.join(out, 'run_summary.json'), 'utf8')).status).to.equal('completed');
    }
  });
});
