import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BundleError, BundleErrorList } from '../../src/errors/index.js';
import { engineEntries } from '../../src/engine/entries.js';
import type { RunSummary } from '../../src/engine/handlers/RunSummaryHandler.js';
import { runBundle } from '../../src/engine/runBundle.js';
import type { ComponentEntry, Logger } from '../../src/registry/ComponentEntry.js';
import { builtinEntries } from '../../src/registry/builtins.js';
import { Registry } from '../../src/registry/Registry.js';
import { transformEntries } from '../../src/transforms/entries.js';
import { doubler, volume, WholeInferer } from './fakes.js';

/** Test-only components: a "loader" that makes a volume from a number, a doubling network, a whole-volume inferer. */
const testEntries: ComponentEntry[] = [
  {
    name: 'FakeLoadd', description: 'test', argsSchema: { type: 'object', properties: { keys: {} } },
    create: () => ({ name: 'FakeLoadd', apply: (s: Record<string, unknown>) => ({ ...s, image: volume([Number(s.image), 1], [2, 1, 1], `/data/${String(s.image)}.nii`) }) }),
  },
  {
    name: 'FakeSaved', description: 'test', argsSchema: { type: 'object', properties: { output_dir: { type: 'string' } } },
    create: (args: { output_dir: string }) => ({
      name: 'FakeSaved',
      apply: (s: Record<string, any>) => {
        const file = path.join(args.output_dir, `${path.basename(s.image.meta.filename)}_pred.json`);
        mkdirSync(args.output_dir, { recursive: true });
        writeFileSync(file, JSON.stringify(Array.from(s.pred.data)));
        return { ...s, pred: { ...s.pred, meta: { ...s.pred.meta, saved_to: file } } };
      },
    }),
  },
  { name: 'Doubler', description: 'test', argsSchema: { type: 'object' }, create: () => doubler },
  { name: 'WholeInferer', description: 'test', argsSchema: { type: 'object' }, create: () => new WholeInferer(1) },
  { name: 'Resettable', description: 'test', argsSchema: { type: 'object' }, methods: ['reset'], create: () => { const c = { resets: 0, reset: () => ++c.resets }; return c; } },
];

function registry() {
  return new Registry([...builtinEntries, ...transformEntries, ...engineEntries, ...testEntries]);
}

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

const bundleConfig = (outputDir: string) => ({
  bundle_root: '.',
  output_dir: outputDir,
  data: [{ image: 3 }, { image: 5 }],
  network_def: { _target_: 'Doubler' },
  preprocessing: { _target_: 'Compose', transforms: [{ _target_: 'FakeLoadd', keys: 'image' }] },
  dataset: { _target_: 'Dataset', data: '@data', transform: '@preprocessing' },
  dataloader: { _target_: 'DataLoader', dataset: '@dataset' },
  inferer: { _target_: 'WholeInferer' },
  postprocessing: { _target_: 'Compose', transforms: [{ _target_: 'FakeSaved', output_dir: '@output_dir' }] },
  handlers: [{ _target_: 'StatsHandler', iteration_log: true }],
  evaluator: {
    _target_: 'SupervisedEvaluator', device: 'cpu', amp: true,
    val_data_loader: '@dataloader', network: '@network_def', inferer: '@inferer', postprocessing: '@postprocessing', val_handlers: '@handlers',
  },
  counter: { _target_: 'Resettable' },
  initialize: ['$$run(@counter, "reset")'],
  run: ['$$run(@evaluator)'],
});

describe('runBundle', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runbundle-'));
    mkdirSync(path.join(dir, 'configs'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeConfig(config: unknown, name = 'inference.json'): string {
    const file = path.join(dir, 'configs', name);
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  it('runs the workflow: every item through the network and post-processing, outputs and summary reported', async () => {
    const out = path.join(dir, 'eval');
    const logger = memoryLogger();
    const result = await runBundle({ configFiles: [writeConfig(bundleConfig(out))], registry: registry(), logger });
    expect(result.items).to.equal(2);
    expect(result.outputs).to.deep.equal([path.join(out, '3.nii_pred.json'), path.join(out, '5.nii_pred.json')]);
    expect(JSON.parse(readFileSync(result.outputs[1]!, 'utf8'))).to.deep.equal([10, 2]);
    expect(result.summaryFile).to.equal(path.join(out, 'run_summary.json'));
    const summary = JSON.parse(readFileSync(result.summaryFile!, 'utf8')) as RunSummary;
    expect(summary.status).to.equal('completed');
    expect(summary.inputs).to.deep.equal(['/data/3.nii', '/data/5.nii']);
    expect(summary.config_sha256).to.match(/^[0-9a-f]{64}$/);
    expect(summary.invocation.run_id).to.equal('run');
    expect(logger.lines.filter((l) => l.startsWith('info: evaluator: item'))).to.have.length(2);
  });

  it('applies args-file values first and the caller\'s overrides after them', async () => {
    const out = path.join(dir, 'eval');
    const config = writeConfig(bundleConfig(out));
    const argsFile = path.join(dir, 'args.yaml');
    writeFileSync(argsFile, `config_file: ${config}\ndata: [{image: 7}, {image: 8}]\noutput_dir: ${path.join(dir, 'from_args')}\n`);
    const result = await runBundle({ argsFile, overrides: [{ id: 'output_dir', value: path.join(dir, 'from_cli') }], registry: registry() });
    expect(result.outputs.map((f) => path.relative(dir, f))).to.deep.equal(['from_cli/7.nii_pred.json', 'from_cli/8.nii_pred.json']);
    expect(JSON.parse(readFileSync(result.summaryFile!, 'utf8')).invocation.args_file).to.equal(argsFile);
  });

  it('hashes the config so that an override changes the hash', async () => {
    const out = path.join(dir, 'eval');
    const config = writeConfig(bundleConfig(out));
    const a = await runBundle({ configFiles: [config], registry: registry() });
    const hashA = JSON.parse(readFileSync(a.summaryFile!, 'utf8')).config_sha256;
    const b = await runBundle({ configFiles: [config], registry: registry(), overrides: [{ id: 'data', value: [{ image: 1 }] }] });
    const hashB = JSON.parse(readFileSync(b.summaryFile!, 'utf8')).config_sha256;
    expect(hashA).to.not.equal(hashB);
  });

  it('reports every missing property before building anything', async () => {
    const { network_def: _n, inferer: _i, ...rest } = bundleConfig(path.join(dir, 'eval'));
    const error = await runBundle({ configFiles: [writeConfig(rest)], registry: registry() }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(BundleErrorList);
    expect((error as BundleErrorList).errors.map((e) => e.location.id)).to.deep.equal(['network_def', 'inferer']);
  });

  it('runs the section named by runId, and refuses a missing one', async () => {
    const config = writeConfig({ ...bundleConfig(path.join(dir, 'eval')), only_init: ['$$run(@counter, "reset")'] });
    const ok = await runBundle({ configFiles: [config], registry: registry(), runId: 'only_init' });
    expect(ok.items).to.equal(0);
    const error = await runBundle({ configFiles: [config], registry: registry(), runId: 'nope', workflowType: 'none' }).then(() => undefined, (e: unknown) => e);
    expect((error as BundleErrorList).errors[0]!.kind).to.equal('id_not_found');
  });

  it('needs a config file', async () => {
    const error = await runBundle({ registry: registry() }).then(() => undefined, (e: unknown) => e);
    expect((error as BundleError).kind).to.equal('usage');
  });
});
