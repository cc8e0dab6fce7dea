/**
 * Run mode: a bundle without prompts (the engine's threshold test bundle, a plain SupervisedEvaluator) served
 * by `bundle serve`: upload the input, get the bundle's output, the same bytes `bundle run` writes.
 */
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bundleCli } from '../cli/bundleCli.js';
import { makeThresholdBundle } from '../engine/bundleFixture.js';
import { niftiFiles } from '../bundle/vistaRun.js';
import { call, startServe } from './serveProcess.js';

describe('serve: run mode', function () {
  this.timeout(60_000);

  it('runs a bundle without prompts on an upload; the output equals bundle run\'s', async () => {
    const root = await makeThresholdBundle();
    const config = path.join(root, 'configs', 'inference.json');
    const input = path.join(root, 'inputs', 'phantom.nii.gz');
    const server = await startServe(['--config_file', config]);
    try {
      const api = (p: string) => new URL(p, server.url).toString();
      const info = await call(api('/api/info'));
      expect(info.json).to.include({ mode: 'run' });
      const up = await call(api('/api/images?name=phantom.nii.gz'), { body: readFileSync(input) });
      expect(up.status).to.equal(201);
      const prompts = await call(api(`/api/images/${up.json.image_id}/infer`), { method: 'POST', json: { label_prompt: [1] } });
      expect([prompts.status, prompts.json.kind]).to.deep.equal([400, 'invalid_request']);
      const result = await call(api(`/api/images/${up.json.image_id}/infer`), { method: 'POST', json: {} });
      expect(result.status, JSON.stringify(result.json)).to.equal(200);
      expect(result.json.labels.map((l: { id: number }) => l.id)).to.deep.equal([1]);
      const served = await call(api(`/api/results/${result.json.result_id}`));

      const out = path.join(root, 'run-out');
      const run = await bundleCli(['run', '--config_file', config, '--input_dict', JSON.stringify({ image: input }), '--output_dir', out, '--quiet']);
      expect(run.code, run.stderr).to.equal(0);
      expect(Buffer.compare(served.bytes, readFileSync(niftiFiles(out)[0]!))).to.equal(0);

    } finally {
      expect(await server.stop()).to.equal(0);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
