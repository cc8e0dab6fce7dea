import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SupervisedEvaluator } from '../../../src/engine/Evaluator.js';
import { RunSummaryHandler, type RunSummary } from '../../../src/engine/handlers/RunSummaryHandler.js';
import type { Volume } from '../../../src/image/Volume.js';
import { doubler, transform, volume, WholeInferer } from '../fakes.js';

const saved = transform('save', (s) => ({ ...s, pred: { ...(s.pred as Volume), meta: { ...(s.pred as Volume).meta, saved_to: `/out/${(s.image as Volume).meta.filename!.split('/').pop()}` } } }));

describe('RunSummaryHandler', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'summary-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes <output_dir>/run_summary.json with inputs, outputs, per-stage timings, versions and the config hash', async () => {
    const handler = new RunSummaryHandler({ outputDir: dir, configHash: 'abc123', invocation: { config_file: ['inference.json'] } });
    const data = [{ image: volume([1], [1, 1, 1], '/data/a.nii.gz') }, { image: volume([2], [1, 1, 1], '/data/b.nii.gz') }];
    await new SupervisedEvaluator({ valDataLoader: data, network: doubler, inferer: new WholeInferer(), postprocessing: saved, valHandlers: [handler] }).run();
    const summary = JSON.parse(readFileSync(path.join(dir, 'run_summary.json'), 'utf8')) as RunSummary;
    expect(summary.status).to.equal('completed');
    expect(summary.inputs).to.deep.equal(['/data/a.nii.gz', '/data/b.nii.gz']);
    expect(summary.outputs).to.deep.equal(['/out/a.nii.gz', '/out/b.nii.gz']);
    expect(summary.items.map((i) => i.outputs)).to.deep.equal([{ pred: '/out/a.nii.gz' }, { pred: '/out/b.nii.gz' }]);
    expect(Object.keys(summary.timings_ms)).to.deep.equal(['preprocessing', 'inference', 'postprocessing', 'total']);
    expect(summary.config_sha256).to.equal('abc123');
    expect(summary.invocation).to.deep.equal({ config_file: ['inference.json'] });
    expect(summary.versions.node).to.equal(process.versions.node);
    expect(summary.versions['onnxruntime-node']).to.match(/^\d+\.\d+/);
    expect(summary.versions['monai-bundle-ts']).to.match(/^\d+\.\d+/);
    expect(Date.parse(summary.finished_at!)).to.be.at.least(Date.parse(summary.started_at));
    expect(readdirSync(dir)).to.deep.equal(['run_summary.json']); // no temp file left
  });

  it('writes the label names that the output of an item carries, only where there are some', async () => {
    const named = transform('name', (s) => {
      const pred = s.pred as Volume;
      const file = pred.meta.saved_to as string;
      return file.endsWith('b.nii.gz') ? { ...s, pred: { ...pred, meta: { ...pred.meta, labelNames: { '140': 'zero-shot object 140' } } } } : s;
    });
    const both = transform('both', async (s) => named.apply(await saved.apply(s)));
    const handler = new RunSummaryHandler({ outputDir: dir });
    const data = [{ image: volume([1], [1, 1, 1], '/data/a.nii.gz') }, { image: volume([2], [1, 1, 1], '/data/b.nii.gz') }];
    await new SupervisedEvaluator({ valDataLoader: data, network: doubler, inferer: new WholeInferer(), postprocessing: both, valHandlers: [handler] }).run();
    const summary = JSON.parse(readFileSync(path.join(dir, 'run_summary.json'), 'utf8')) as RunSummary;
    expect(summary.items.map((i) => i.label_names)).to.deep.equal([undefined, { pred: { '140': 'zero-shot object 140' } }]);
  });

  it('records a failed run with its error', async () => {
    const file = path.join(dir, 'nested', 'summary.json');
    const handler = new RunSummaryHandler({ path: file });
    const evaluator = new SupervisedEvaluator({ valDataLoader: [{ nothing: 1 }], network: doubler, inferer: new WholeInferer(), valHandlers: [handler] });
    await evaluator.run().catch(() => undefined);
    const summary = JSON.parse(readFileSync(file, 'utf8')) as RunSummary & { error: { kind: string } };
    expect(summary.status).to.equal('failed');
    expect(summary.error.kind).to.equal('missing_key');
  });

  it('issue 14 item 2: a summary that cannot be written does not hide the error that ended the run', async () => {
    writeFileSync(path.join(dir, 'afile'), 'x');
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const handler = new RunSummaryHandler({ path: path.join(dir, 'afile', 'run_summary.json'), logger });
    const evaluator = new SupervisedEvaluator({ valDataLoader: [{ nothing: 1 }], network: doubler, inferer: new WholeInferer(), valHandlers: [handler] });
    const error = await evaluator.run().then(() => null, (e: unknown) => e);
    expect((error as { kind?: string }).kind).to.equal('missing_key');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/the summary of the failed run could not be written: cannot write the run summary .*afile is a file, not a folder/);
  });

  it('issue 14 item 10: a failed run creates no output folder for its summary', async () => {
    const outputDir = path.join(dir, 'eval');
    const handler = new RunSummaryHandler({ outputDir });
    const evaluator = new SupervisedEvaluator({ valDataLoader: [{ nothing: 1 }], network: doubler, inferer: new WholeInferer(), valHandlers: [handler] });
    await evaluator.run().catch(() => undefined);
    expect(existsSync(outputDir)).to.equal(false);
    expect(handler.written).to.equal(false);
  });

  it('writes nothing without an output folder or a path', async () => {
    const handler = new RunSummaryHandler({});
    await new SupervisedEvaluator({ valDataLoader: [], network: doubler, inferer: new WholeInferer(), valHandlers: [handler] }).run();
    expect(handler.file).to.equal(undefined);
    expect(existsSync(path.join(process.cwd(), 'run_summary.json'))).to.equal(false);
  });
});
