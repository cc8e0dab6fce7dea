import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { inferenceEntries, slidingWindowInfererEntry } from '../../src/inference/entries.js';
import { SimpleInferer } from '../../src/inference/SimpleInferer.js';
import { SlidingWindowInferer } from '../../src/inference/SlidingWindowInferer.js';
import type { Network, Tensor } from '../../src/inference/types.js';
import { silentLogger } from '../../src/registry/ComponentEntry.js';
import { validateArgs } from '../../src/registry/validateArgs.js';
import { repoPath } from '../helpers/shared.js';

const context = { id: 'inferer', bundleRoot: '/nowhere', logger: silentLogger };

describe('inference/entries', () => {
  it('registers OnnxNetwork, SimpleInferer, SlidingWindowInferer and SliceInferer with schemas that compile strictly', () => {
    expect(inferenceEntries.map((e) => e.name)).to.deep.equal(['OnnxNetwork', 'SimpleInferer', 'SlidingWindowInferer', 'SliceInferer']);
    const ajv = new Ajv({ strict: true, strictTypes: false });
    for (const entry of inferenceEntries) expect(() => ajv.compile(entry.argsSchema), entry.name).not.to.throw();
  });

  it("accepts the VISTA3D bundle's inferer arguments, including MONAI's device options, and maps them", () => {
    const args = { roi_size: [128, 128, 128], sw_batch_size: 1, overlap: 0.25, mode: 'constant' as const, sw_device: 'cuda', device: 'cpu', progress: true };
    expect(validateArgs('SlidingWindowInferer', slidingWindowInfererEntry.argsSchema, args, 'inferer')).to.deep.equal([]);
    const inferer = slidingWindowInfererEntry.create(args, context) as SlidingWindowInferer;
    expect(inferer.options).to.deep.include({ roiSize: [128, 128, 128], swBatchSize: 1, overlap: 0.25, mode: 'constant', paddingMode: 'constant', cval: 0, blendThreads: 'auto' });
  });

  it('blend_threads is a positive integer or "auto"', () => {
    const validate = (blend_threads: unknown) => validateArgs('SlidingWindowInferer', slidingWindowInfererEntry.argsSchema, { roi_size: 96, blend_threads }, 'inferer');
    expect(validate(2)).to.deep.equal([]);
    expect(validate('auto')).to.deep.equal([]);
    for (const bad of [0, 1.5, 'all']) expect(validate(bad).map((p) => p.location.path), String(bad)).to.include('/blend_threads');
    expect((slidingWindowInfererEntry.create({ roi_size: 96, blend_threads: 3 }, context) as SlidingWindowInferer).options.blendThreads).to.equal(3);
  });

  it('rejects a misspelt or out-of-range inferer argument by schema', () => {
    const problems = validateArgs('SlidingWindowInferer', slidingWindowInfererEntry.argsSchema, { roi_size: 96, overlap: 1, moed: 'gaussian' }, 'inferer');
    const paths = problems.map((p) => p.location.path);
    expect(paths).to.include('/moed');
    expect(paths.some((p) => p?.startsWith('/overlap'))).to.equal(true);
  });

  it('a single roi_size number applies to every spatial axis', async () => {
    const inferer = slidingWindowInfererEntry.create({ roi_size: 4 }, context) as SlidingWindowInferer;
    expect(inferer.plan([9, 9, 9]).roiSize).to.deep.equal([4, 4, 4]);
  });

  it('SimpleInferer runs the network once on the whole input', async () => {
    let calls = 0;
    const doubling: Network = {
      name: 'doubling',
      inputNames: ['x'],
      outputNames: ['y'],
      async run(feeds) {
        calls++;
        const x = feeds.x;
        return { y: { type: 'float32', dims: x.dims, data: (x.data as Float32Array).map((v) => v * 2) } };
      },
    };
    const input: Tensor = { type: 'float32', dims: [1, 1, 2, 2, 2], data: Float32Array.from({ length: 8 }, (_, i) => i) };
    const out = await new SimpleInferer().infer(input, doubling);
    expect(calls).to.equal(1);
    expect(Array.from(out.data as Float32Array)).to.deep.equal([0, 2, 4, 6, 8, 10, 12, 14]);
  });

  it('loading the inference layer does not load onnxruntime; running a network does', () => {
    const script = `
      const loaded = () => process.report.getReport().sharedObjects.some((f) => f.includes('onnxruntime'));
      const entries = await import(${JSON.stringify(repoPath('src', 'inference', 'entries.ts'))});
      const before = loaded();
      const net = entries.onnxNetworkEntry.create({ path: 'box_filter_3x3x3.onnx' }, { id: 'n', bundleRoot: ${JSON.stringify(repoPath('test', 'fixtures', 'inference'))}, logger: console });
      const afterCreate = loaded();
      await net.load();
      console.log(JSON.stringify([before, afterCreate, loaded()]));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).to.deep.equal([false, false, true]);
  });
});
