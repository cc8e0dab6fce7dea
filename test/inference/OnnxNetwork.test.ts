import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { BundleError } from '../../src/errors/index.js';
import { onnxNetworkEntry } from '../../src/inference/entries.js';
import { toFloat16Bits } from '../../src/inference/float16.js';
import { OnnxNetwork } from '../../src/inference/OnnxNetwork.js';
import { GraphBuilder } from '../../src/inference/onnx/build.js';
import type { Tensor } from '../../src/inference/types.js';
import type { ComponentContext, Logger } from '../../src/registry/ComponentEntry.js';
import { repoPath } from '../helpers/shared.js';

const BOX = repoPath('test', 'fixtures', 'inference', 'box_filter_3x3x3.onnx');

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
}

function tensor(dims: number[], f: (i: number) => number = (i) => (i % 7) / 7): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { type: 'float32', dims, data: Float32Array.from({ length: n }, (_, i) => f(i)) };
}

/** `y = x * factor`, with float16 or float32 input and output. */
function scaleModel(type: 'float32' | 'float16', factor: number): Uint8Array {
  const g = new GraphBuilder('scale');
  g.input('x', type, [1, 1, null]);
  if (type === 'float16') g.initializer('k', Uint16Array.of(toFloat16Bits(factor)), [1], 'float16');
  else g.initializer('k', Float32Array.of(factor), [1]);
  g.node('Mul', ['x', 'k'], ['y']);
  g.output('y', type, [1, 1, null]);
  return g.toModel({ opset: 17 });
}

function addModel(): Uint8Array {
  const g = new GraphBuilder('add');
  g.input('a', 'float32', [null, 2]);
  g.input('b', 'float32', [null, 2]);
  g.node('Add', ['a', 'b'], ['sum']);
  g.node('Sub', ['a', 'b'], ['difference']);
  g.output('sum', 'float32', [null, 2]);
  g.output('difference', 'float32', [null, 2]);
  return g.toModel({ opset: 17 });
}

describe('inference/OnnxNetwork', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'onnx-network-'));
    writeFileSync(path.join(dir, 'scale.onnx'), scaleModel('float32', 3));
    writeFileSync(path.join(dir, 'scale_fp16.onnx'), scaleModel('float16', 2));
    writeFileSync(path.join(dir, 'half.onnx'), scaleModel('float16', 0.5));
    writeFileSync(path.join(dir, 'add.onnx'), addModel());
    writeFileSync(path.join(dir, 'broken.onnx'), Uint8Array.of(8, 7, 1, 2, 3, 250, 251));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const context = (logger: Logger = recordingLogger()): ComponentContext => ({ id: 'network', bundleRoot: dir, logger });

  it('runs the box filter: the centre of a 3x3x3 cube of ones is 1, a corner sees 8/27', async () => {
    const net = new OnnxNetwork({ path: BOX });
    await net.load();
    expect(net.inputNames).to.deep.equal(['input']);
    expect(net.outputNames).to.deep.equal(['output']);
    expect(net.signature?.inputs[0]).to.deep.include({ type: 'float32', dims: [1, 1, 'd0', 'd1', 'd2'] });
    const out = (await net.run({ input: tensor([1, 1, 3, 3, 3], () => 1) })).output;
    expect(out.dims).to.deep.equal([1, 1, 3, 3, 3]);
    const data = out.data as Float32Array;
    expect(data[13]).to.be.closeTo(1, 1e-6);
    expect(data[0]).to.be.closeTo(8 / 27, 1e-6);
  });

  it('falls back from cuda to cpu with one warning naming cuda', async () => {
    const logger = recordingLogger();
    const net = onnxNetworkEntry.create({ path: 'scale.onnx', execution_providers: ['cuda', 'tensorrt', 'cpu'] }, context(logger)) as OnnxNetwork;
    const out = await net.run({ x: tensor([1, 1, 4]) });
    expect(net.provider).to.equal('cpu');
    expect(logger.warnings).to.have.length(1);
    expect(logger.warnings[0]).to.match(/cuda/).and.match(/tensorrt/).and.match(/scale\.onnx on cpu/);
    expect(Array.from(out.y.data as Float32Array)).to.deep.equal(Array.from(tensor([1, 1, 4]).data as Float32Array, (v) => Math.fround(v * 3)));
  });

  it('names a missing provider in one warning even when several models fall back', async () => {
    const logger = recordingLogger();
    const infos: string[] = [];
    logger.info = (m: string) => void infos.push(m);
    await (onnxNetworkEntry.create({ path: 'add.onnx', execution_providers: ['cuda'] }, context(logger)) as OnnxNetwork).load();
    await (onnxNetworkEntry.create({ path: 'half.onnx', execution_providers: ['cuda'] }, context(logger)) as OnnxNetwork).load();
    expect(logger.warnings).to.have.length(1);
    expect(logger.warnings[0]).to.match(/cuda .*add\.onnx on cpu/);
    expect(infos.some((m) => /half\.onnx on cpu/.test(m))).to.equal(true);
  });

  it('loads each model once per process for the same options', async () => {
    const logger = recordingLogger();
    const a = onnxNetworkEntry.create({ path: 'scale.onnx', execution_providers: ['cuda'] }, context(logger)) as OnnxNetwork;
    const b = onnxNetworkEntry.create({ path: './scale.onnx', execution_providers: ['cuda'] }, context(logger)) as OnnxNetwork;
    await Promise.all([a.load(), b.load()]);
    expect(logger.warnings.length).to.be.at.most(1);
    expect((a as unknown as { loaded: unknown }).loaded).to.equal((b as unknown as { loaded: unknown }).loaded);
  });

  it('runs with the CPU memory arena off, in a session of its own, giving the same result', async () => {
    const input = { type: 'float32' as const, dims: [1, 1, 3], data: Float32Array.of(1, 2, -4) };
    const withArena = onnxNetworkEntry.create({ path: 'scale.onnx' }, context()) as OnnxNetwork;
    const without = onnxNetworkEntry.create({ path: 'scale.onnx', enable_cpu_mem_arena: false }, context()) as OnnxNetwork;
    await Promise.all([withArena.load(), without.load()]);
    expect((withArena as unknown as { loaded: unknown }).loaded).to.not.equal((without as unknown as { loaded: unknown }).loaded);
    const [a, b] = await Promise.all([withArena.run({ [withArena.inputNames[0]!]: input }), without.run({ [without.inputNames[0]!]: input })]);
    expect([...(Object.values(b)[0]!.data as Float32Array)]).to.deep.equal([...(Object.values(a)[0]!.data as Float32Array)]);
    expect([...(Object.values(b)[0]!.data as Float32Array)]).to.deep.equal([3, 6, -12]);
  });

  it('runs with the memory pattern on when asked (off by default while the arena is on), in a session of its own, giving the same result', async () => {
    const input = { type: 'float32' as const, dims: [1, 1, 3], data: Float32Array.of(1, 2, -4) };
    const byDefault = onnxNetworkEntry.create({ path: 'scale.onnx' }, context()) as OnnxNetwork;
    const off = onnxNetworkEntry.create({ path: 'scale.onnx', enable_mem_pattern: false }, context()) as OnnxNetwork;
    const on = onnxNetworkEntry.create({ path: 'scale.onnx', enable_mem_pattern: true }, context()) as OnnxNetwork;
    await Promise.all([byDefault.load(), off.load(), on.load()]);
    const loaded = (n: OnnxNetwork) => (n as unknown as { loaded: unknown }).loaded;
    expect(loaded(byDefault), 'off by default with the arena: the same cached session').to.equal(loaded(off));
    const noArena = onnxNetworkEntry.create({ path: 'scale.onnx', enable_cpu_mem_arena: false }, context()) as OnnxNetwork;
    const noArenaOn = onnxNetworkEntry.create({ path: 'scale.onnx', enable_cpu_mem_arena: false, enable_mem_pattern: true }, context()) as OnnxNetwork;
    await Promise.all([noArena.load(), noArenaOn.load()]);
    expect(loaded(noArena), 'on by default without the arena').to.equal(loaded(noArenaOn));
    expect(loaded(on)).to.not.equal(loaded(off));
    const [a, b] = await Promise.all([off.run({ [off.inputNames[0]!]: input }), on.run({ [on.inputNames[0]!]: input })]);
    expect([...(Object.values(b)[0]!.data as Float32Array)]).to.deep.equal([...(Object.values(a)[0]!.data as Float32Array)]);
  });

  it('shows an unnamed dynamic dimension as ? in a shape error', async () => {
    const net = onnxNetworkEntry.create({ path: 'scale.onnx' }, context()) as OnnxNetwork;
    await net.load();
    const error = await net.run({ [net.inputNames[0]!]: { type: 'float32', dims: [1, 3], data: new Float32Array(3) } }).then(
      () => null,
      (e: BundleError) => e,
    );
    expect(error?.kind).to.equal('shape_mismatch');
    expect(error?.message).to.contain('expects shape [1, 1, ?] but was given [1, 3]');
  });

  it('precision fp16 picks the _fp16 sibling and converts float32 data in and out', async () => {
    const net = onnxNetworkEntry.create({ path: 'scale.onnx', precision: 'fp16' }, context()) as OnnxNetwork;
    expect(net.name).to.equal('scale_fp16.onnx');
    const out = await net.run({ x: tensor([1, 1, 3], (i) => i + 0.5) });
    expect(out.y.type).to.equal('float32');
    expect(Array.from(out.y.data as Float32Array)).to.deep.equal([1, 3, 5]);
  });

  it('precision fp16 uses fp16_path when given, relative to the bundle root', async () => {
    const net = onnxNetworkEntry.create({ path: 'scale.onnx', precision: 'fp16', fp16_path: 'half.onnx' }, context()) as OnnxNetwork;
    const out = await net.run({ x: tensor([1, 1, 2], () => 3) });
    expect(Array.from(out.y.data as Float32Array)).to.deep.equal([1.5, 1.5]);
  });

  it('maps config names to model names and checks them against the model', async () => {
    const net = onnxNetworkEntry.create(
      { path: 'add.onnx', input_names: { image: 'a', offset: 'b' }, output_names: { pred: 'difference' } },
      context(),
    ) as OnnxNetwork;
    expect(net.inputNames).to.deep.equal(['image', 'offset']);
    const out = await net.run({ image: tensor([1, 2], () => 5), offset: tensor([1, 2], () => 2) });
    expect(Object.keys(out)).to.deep.equal(['pred']);
    expect(Array.from(out.pred.data as Float32Array)).to.deep.equal([3, 3]);

    const typo = onnxNetworkEntry.create({ path: 'add.onnx', input_names: ['a', 'bb'] }, context()) as OnnxNetwork;
    const err = await typo.load().catch((e) => e);
    expect(err).to.have.property('kind', 'model_error');
    expect(err.message).to.match(/no input "bb"/);
    expect(err.candidates).to.include('b');
  });

  it('runs a batch item by item when the model declares a batch of 1', async () => {
    const net = new OnnxNetwork({ path: BOX });
    const batch = tensor([3, 1, 4, 5, 2], (i) => Math.sin(i));
    const out = (await net.run({ input: batch })).output;
    expect(out.dims).to.deep.equal([3, 1, 4, 5, 2]);
    const size = 40;
    for (let b = 0; b < 3; b++) {
      const single = tensor([1, 1, 4, 5, 2], (i) => Math.sin(b * size + i));
      const expected = (await net.run({ input: single })).output.data as Float32Array;
      expect(Array.from((out.data as Float32Array).subarray(b * size, (b + 1) * size))).to.deep.equal(Array.from(expected));
    }
  });

  it('reports a missing model file as model_not_found with the component id and the file', () => {
    let err: any;
    try {
      onnxNetworkEntry.create({ path: 'models/missing.onnx' }, context());
    } catch (e) {
      err = e;
    }
    expect(err).to.have.property('kind', 'model_not_found');
    expect(err.message).to.contain(path.join(dir, 'models', 'missing.onnx'));
    expect(err.location).to.include({ id: 'network' });
  });

  it('optional: a missing file builds, and is model_not_found with the file and id when first run', async () => {
    const net = await onnxNetworkEntry.create({ path: 'models/missing.onnx', optional: true }, context());
    let err: any;
    try {
      await net.load!();
    } catch (e) {
      err = e;
    }
    expect(err).to.have.property('kind', 'model_not_found');
    expect(err.message).to.contain(path.join(dir, 'models', 'missing.onnx'));
    expect(err.location).to.include({ id: 'network' });
  });

  it('says where the fp16 sibling was looked for when it is absent', () => {
    expect(() => onnxNetworkEntry.create({ path: 'add.onnx', precision: 'fp16' }, context()))
      .to.throw(/add_fp16\.onnx/)
      .with.property('hint')
      .that.matches(/fp16_path/);
  });

  it('reports a corrupt model as model_error naming the file, with the onnxruntime error as cause', async () => {
    const net = onnxNetworkEntry.create({ path: 'broken.onnx' }, context()) as OnnxNetwork;
    const err = await net.load().catch((e) => e);
    expect(err).to.have.property('kind', 'model_error');
    expect(err.message).to.contain('broken.onnx');
    expect(err.location).to.include({ id: 'network' });
    expect(err.cause).to.be.instanceOf(Error);
  });

  it('rejects a feed of the wrong shape or type before running, naming the model and the input', async () => {
    const net = new OnnxNetwork({ path: BOX });
    const shape = await net.run({ input: tensor([1, 2, 4, 4, 4]) }).catch((e) => e);
    expect(shape).to.have.property('kind', 'shape_mismatch');
    expect(shape.message).to.match(/"input" of model box_filter_3x3x3\.onnx expects shape \[1, 1, d0, d1, d2\] but was given \[1, 2, 4, 4, 4\]/);
    expect(shape.location).to.include({ file: BOX, path: 'input' });
    const rank = await net.run({ input: tensor([1, 4, 4, 4]) }).catch((e) => e);
    expect(rank).to.have.property('kind', 'shape_mismatch');
    const ints = await net.run({ input: { type: 'int32', dims: [1, 1, 2, 2, 2], data: new Int32Array(8) } }).catch((e) => e);
    expect(ints).to.have.property('kind', 'shape_mismatch');
    expect(ints.message).to.match(/takes float32 but was given int32/);
  });

  it('names the inputs when fed an unknown one or not fed a required one', async () => {
    const net = new OnnxNetwork({ path: path.join(dir, 'add.onnx') });
    const unknown = await net.run({ a: tensor([1, 2]), c: tensor([1, 2]) }).catch((e) => e);
    expect(unknown).to.have.property('kind', 'model_error');
    expect(unknown.message).to.match(/no input "c"/);
    const missing = await net.run({ a: tensor([1, 2]) }).catch((e) => e);
    expect(missing.message).to.match(/Input "b" .* was not given/);
  });

  it('rejects unknown execution providers by schema enum and at load', async () => {
    expect((onnxNetworkEntry.argsSchema as any).properties.execution_providers.items.enum).to.include.members(['cpu', 'cuda', 'tensorrt', 'webgpu']);
    const net = new OnnxNetwork({ path: BOX, executionProviders: ['tpu'] });
    const err = await net.load().catch((e) => e);
    expect(err).to.have.property('kind', 'invalid_arguments');
  });
});
