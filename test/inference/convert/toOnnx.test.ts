import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { BundleError } from '../../../src/errors/index.js';
import { convertTfjsFile, tfjsToOnnx } from '../../../src/inference/convert/toOnnx.js';
import { readTfjsModel } from '../../../src/inference/convert/tfjsModel.js';
import { runModel } from '../onnx/runModel.js';
import { activation, conv, seededValues, writeTfjsModel, type FixtureModel } from './tfjsFixture.js';
import * as ref from './kerasReference.js';

const { onnx } = onnxProto;
/** a deliberately anisotropic volume: every axis has its own size, so a swapped axis cannot go unnoticed */
const SPATIAL: [number, number, number] = [5, 6, 7];
const VOXELS = SPATIAL[0] * SPATIAL[1] * SPATIAL[2];

async function convertAndRun(model: FixtureModel, input: Float32Array, options: Parameters<typeof tfjsToOnnx>[1] = {}, dims = [1, 1, ...SPATIAL]) {
  const { bytes, summary } = tfjsToOnnx(await readTfjsModel(model.file), options);
  const out = await runModel(bytes, { [summary.inputName]: { type: 'float32', dims, data: input } });
  return { bytes, summary, output: out[summary.outputName]! };
}

const w = (m: FixtureModel, name: string) => m.weights.get(name)!;
const opTypes = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);

describe('tfjsToOnnx', () => {
  const cleanup: string[] = [];
  after(() => cleanup.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fixture = (...args: Parameters<typeof writeTfjsModel>) => {
    const m = writeTfjsModel(...args);
    cleanup.push(m.dir);
    return m;
  };
  const input = seededValues(99, VOXELS).map((v) => (v + 1) / 2);
  const x0 = ref.fromChannelsFirst(input, [1, ...SPATIAL]);

  it('converts a MeshNet-style stack (dilated "same" Conv3D, ReLU/ELU, 1x1x1 head) to the same logits as Keras computes', async () => {
    const m = fixture([
      conv('c1', 1, 4), activation('a1', 'relu'),
      conv('c2', 4, 4, { dilation: 2, activation: 'elu' }),
      conv('c3', 4, 4, { dilation: 4 }), activation('a3', 'relu'),
      conv('output', 4, 3, { k: 1 }),
    ]);
    const { output, summary } = await convertAndRun(m, input);
    let x = ref.map(ref.conv3d(x0, w(m, 'c1/kernel'), w(m, 'c1/bias').data, 1), ref.relu);
    x = ref.map(ref.conv3d(x, w(m, 'c2/kernel'), w(m, 'c2/bias').data, 2), ref.elu());
    x = ref.map(ref.conv3d(x, w(m, 'c3/kernel'), w(m, 'c3/bias').data, 4), ref.relu);
    x = ref.conv3d(x, w(m, 'output/kernel'), w(m, 'output/bias').data, 1);
    expect(output.dims).to.deep.equal([1, 3, ...SPATIAL]);
    expect(summary).to.include({ inputName: 'input', outputName: 'output', inChannels: 1, outChannels: 3 });
    expect(ref.maxAbsDiff(output.data as Float32Array, x)).to.be.below(1e-5);
  });

  it('puts instance normalisation after "*_gn" convolutions (brainchop\'s mindgrab convention) and GELU in erf form', async () => {
    const m = fixture([
      conv('conv3d_0_gn', 1, 3, { bias: false, dilation: 2 }), activation('act0', 'gelu'),
      conv('conv3d_1_gn', 3, 3, { bias: false }), activation('act1', 'gelu'),
      conv('output', 3, 2, { k: 1 }),
    ]);
    let x = ref.map(ref.instanceNorm(ref.conv3d(x0, w(m, 'conv3d_0_gn/kernel'), undefined, 2), 1e-5), ref.gelu);
    x = ref.map(ref.instanceNorm(ref.conv3d(x, w(m, 'conv3d_1_gn/kernel'), undefined, 1), 1e-5), ref.gelu);
    x = ref.conv3d(x, w(m, 'output/kernel'), w(m, 'output/bias').data, 1);
    const at17 = await convertAndRun(m, input, { opset: 17 });
    const at20 = await convertAndRun(m, input, { opset: 20 });
    expect(opTypes(at17.bytes)).to.include('Erf').and.not.include('Gelu');
    expect(opTypes(at20.bytes)).to.include('Gelu');
    expect(opTypes(at17.bytes).filter((op) => op === 'InstanceNormalization')).to.have.length(2);
    expect(ref.maxAbsDiff(at17.output.data as Float32Array, x)).to.be.below(1e-5);
    expect(ref.maxAbsDiff(at20.output.data as Float32Array, x)).to.be.below(1e-5);
  });

  it('with reverseSpatialAxes gives the same result on input in reversed axis order (NIfTI file order)', async () => {
    const m = fixture([conv('c1', 1, 2, { dilation: 2 }), activation('a1', 'relu'), conv('output', 2, 2, { k: 1 })]);
    const reference = (await convertAndRun(m, input)).output.data as Float32Array;
    const [d0, d1, d2] = SPATIAL;
    const reversed = new Float32Array(VOXELS);
    for (let a = 0; a < d0; a++) for (let b = 0; b < d1; b++) for (let c = 0; c < d2; c++) reversed[(c * d1 + b) * d0 + a] = input[(a * d1 + b) * d2 + c]!;
    const { output } = await convertAndRun(m, reversed, { reverseSpatialAxes: true }, [1, 1, d2, d1, d0]);
    const got = output.data as Float32Array;
    let max = 0;
    for (let ch = 0; ch < 2; ch++) for (let a = 0; a < d0; a++) for (let b = 0; b < d1; b++) for (let c = 0; c < d2; c++) {
      max = Math.max(max, Math.abs(got[ch * VOXELS + (c * d1 + b) * d0 + a]! - reference[ch * VOXELS + (a * d1 + b) * d2 + c]!));
    }
    expect(max).to.be.below(1e-5);
  });

  it('with computeInFileOrder takes and returns our layout, computing in file order between two Transposes', async () => {
    const m = fixture([conv('c1', 1, 3, { dilation: 2 }), activation('a1', 'relu'), conv('output', 3, 3, { k: 1 })]);
    const reference = (await convertAndRun(m, input)).output.data as Float32Array;
    const logits = await convertAndRun(m, input, { computeInFileOrder: true });
    expect(logits.output.dims).to.deep.equal([1, 3, ...SPATIAL]);
    const got = logits.output.data as Float32Array;
    expect(Math.max(...reference.map((v, i) => Math.abs(v - got[i]!)))).to.be.below(1e-5);
    const ops = opTypes(logits.bytes);
    expect([ops[0], ops[ops.length - 1]]).to.deep.equal(['Transpose', 'Transpose']);
    // with argmax, the one-channel labels are transposed back, not the logits
    const labels = await convertAndRun(m, input, { computeInFileOrder: true, argmax: true });
    expect(opTypes(labels.bytes).slice(-2)).to.deep.equal(['ArgMax', 'Transpose']);
    expect(labels.output.dims).to.deep.equal([1, 1, ...SPATIAL]);
    const plain = (await convertAndRun(m, input, { argmax: true })).output.data as BigInt64Array;
    expect(Array.from(labels.output.data as BigInt64Array)).to.deep.equal(Array.from(plain));
  });

  it('refuses computeInFileOrder together with reverseSpatialAxes (usage error)', async () => {
    const m = fixture([conv('output', 1, 2, { k: 1 })]);
    const model = await readTfjsModel(m.file);
    expect(() => tfjsToOnnx(model, { computeInFileOrder: true, reverseSpatialAxes: true }))
      .to.throw(BundleError).with.property('kind', 'usage');
  });

  it('with argmax outputs int64 labels [N, 1, ...] equal to the argmax of the logits', async () => {
    const m = fixture([conv('c1', 1, 4), activation('a1', 'relu'), conv('output', 4, 3, { k: 1 })]);
    const logits = (await convertAndRun(m, input)).output.data as Float32Array;
    const { output } = await convertAndRun(m, input, { argmax: true });
    expect(output.type).to.equal('int64');
    expect(output.dims).to.deep.equal([1, 1, ...SPATIAL]);
    const labels = output.data as BigInt64Array;
    for (let p = 0; p < VOXELS; p++) {
      let best = 0;
      for (let c = 1; c < 3; c++) if (logits[c * VOXELS + p]! > logits[best * VOXELS + p]!) best = c;
      expect(Number(labels[p]), `voxel ${p}`).to.equal(best);
    }
  });

  it('handles branches: Concatenate on channels, BatchNormalization, InstanceNormalization with gamma/beta, Softmax, Add, Dropout', async () => {
    const m = fixture([
      conv('a', 1, 2),
      { ...conv('b', 1, 3, { dilation: 2 }), inbound: ['input'] },
      { name: 'cat', className: 'Concatenate', config: { axis: -1 }, inbound: ['a', 'b'] },
      { name: 'bn', className: 'BatchNormalization', config: { axis: -1, epsilon: 0.001 }, weights: { gamma: [5], beta: [5], moving_mean: [5], moving_variance: [5] } },
      { name: 'drop', className: 'Dropout', config: { rate: 0.5 } },
      { name: 'inorm', className: 'InstanceNormalization', config: { axis: -1, epsilon: 0.001 }, weights: { gamma: [5], beta: [5] } },
      { name: 'sum', className: 'Add', config: {}, inbound: ['inorm', 'bn'] },
      { ...conv('head', 5, 3, { k: 1 }) },
      { name: 'output', className: 'Softmax', config: { axis: -1 } },
    ]);
    const a = ref.conv3d(x0, w(m, 'a/kernel'), w(m, 'a/bias').data, 1);
    const b = ref.conv3d(x0, w(m, 'b/kernel'), w(m, 'b/bias').data, 2);
    const cat = new Float64Array(VOXELS * 5);
    for (let p = 0; p < VOXELS; p++) {
      cat.set(a.data.subarray(p * 2, p * 2 + 2), p * 5);
      cat.set(b.data.subarray(p * 3, p * 3 + 3), p * 5 + 2);
    }
    const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((s) => w(m, `bn/${s}`).data);
    const bn = ref.map({ shape: [...SPATIAL, 5], data: cat }, (v) => v);
    bn.data.forEach((v, i) => (bn.data[i] = ((v - mean![i % 5]!) / Math.sqrt(variance![i % 5]! + 0.001)) * gamma![i % 5]! + beta![i % 5]!));
    const inorm = ref.instanceNorm(bn, 0.001, w(m, 'inorm/gamma').data, w(m, 'inorm/beta').data);
    const sum = { shape: bn.shape, data: inorm.data.map((v, i) => v + bn.data[i]!) };
    const expected = ref.softmax(ref.conv3d(sum, w(m, 'head/kernel'), w(m, 'head/bias').data, 1));
    const { output } = await convertAndRun(m, input);
    expect(ref.maxAbsDiff(output.data as Float32Array, expected)).to.be.below(1e-5);
  });

  it('reads Sequential models and "valid" padding', async () => {
    const m = fixture([conv('c1', 1, 2, { padding: 'valid' }), conv('output', 2, 1, { k: 1, activation: 'sigmoid' })], { sequential: true });
    const { output } = await convertAndRun(m, input);
    const expected = ref.map(ref.conv3d(ref.conv3d(x0, w(m, 'c1/kernel'), w(m, 'c1/bias').data, 1, 'valid'), w(m, 'output/kernel'), w(m, 'output/bias').data, 1), ref.sigmoid);
    expect(output.dims).to.deep.equal([1, 1, 3, 4, 5]);
    expect(ref.maxAbsDiff(output.data as Float32Array, expected)).to.be.below(1e-5);
  });

  it('pads an even "same" kernel with the extra voxel at the end, as TensorFlow does', async () => {
    const m = fixture([conv('output', 1, 2, { k: 2, dilation: 1 })]);
    const { output } = await convertAndRun(m, input);
    const expected = ref.conv3d(x0, w(m, 'output/kernel'), w(m, 'output/bias').data, 1);
    expect(output.dims).to.deep.equal([1, 2, ...SPATIAL]);
    expect(ref.maxAbsDiff(output.data as Float32Array, expected)).to.be.below(1e-5);
  });

  it('writes identical bytes when run twice', async () => {
    const m = fixture([conv('c1', 1, 2), activation('a1', 'gelu'), conv('output', 2, 2, { k: 1 })]);
    const model = await readTfjsModel(m.file);
    expect(Buffer.from(tfjsToOnnx(model).bytes).equals(Buffer.from(tfjsToOnnx(await readTfjsModel(m.file)).bytes))).to.equal(true);
  });

  it('rejects an unsupported layer with unsupported_layer, naming the layer and its class', async () => {
    const m = fixture([conv('c1', 1, 2), { name: 'pool_1', className: 'MaxPooling3D', config: { pool_size: [2, 2, 2] } }, conv('output', 2, 2, { k: 1 })]);
    const model = await readTfjsModel(m.file);
    expect(() => tfjsToOnnx(model)).to.throw(BundleError, /"pool_1" \(MaxPooling3D\)/).with.property('kind', 'unsupported_layer');
  });

  it('rejects an unknown activation spelling, naming the layer and the activation', async () => {
    const m = fixture([conv('c1', 1, 2), activation('act_x', 'mish'), conv('output', 2, 2, { k: 1 })]);
    const model = await readTfjsModel(m.file);
    expect(() => tfjsToOnnx(model)).to.throw(BundleError, /"act_x".*"mish"/).with.property('kind', 'unsupported_layer');
  });
});

describe('readTfjsModel', () => {
  it('reports a missing weight shard as model_not_found, naming the shard', async () => {
    const m = writeTfjsModel([conv('output', 1, 2, { k: 1 })]);
    try {
      rmSync(path.join(m.dir, 'weights.bin'));
      const error = await readTfjsModel(m.file).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(BundleError).with.property('kind', 'model_not_found');
      expect((error as BundleError).message).to.contain('weights.bin');
    } finally {
      rmSync(m.dir, { recursive: true, force: true });
    }
  });

  it('reports shards shorter than the manifest as model_error', async () => {
    const m = writeTfjsModel([conv('output', 1, 2, { k: 1 })]);
    try {
      writeFileSync(path.join(m.dir, 'weights.bin'), Buffer.alloc(4));
      const error = await readTfjsModel(m.file).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(BundleError).with.property('kind', 'model_error');
      expect((error as BundleError).message).to.contain('output/kernel');
    } finally {
      rmSync(m.dir, { recursive: true, force: true });
    }
  });

  it('reports a model.json that is not a layers model as model_error', async () => {
    const m = writeTfjsModel([conv('output', 1, 2, { k: 1 })]);
    try {
      writeFileSync(m.file, JSON.stringify({ format: 'graph-model', modelTopology: {} }));
      const error = await readTfjsModel(m.file).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(BundleError).with.property('kind', 'model_error');
      expect((error as BundleError).message).to.contain('graph-model');
    } finally {
      rmSync(m.dir, { recursive: true, force: true });
    }
  });
});

describe('convertTfjsFile', () => {
  it('writes the .onnx file, and leaves no file behind when the conversion fails', async () => {
    const good = writeTfjsModel([conv('output', 1, 2, { k: 1 })]);
    const bad = writeTfjsModel([{ name: 'up', className: 'UpSampling3D', config: {} }]);
    try {
      const out = path.join(good.dir, 'out', 'model.onnx');
      const summary = await convertTfjsFile(good.file, out);
      expect(summary.outChannels).to.equal(2);
      expect(readFileSync(out).length).to.be.greaterThan(100);
      const failed = path.join(bad.dir, 'model.onnx');
      const error = await convertTfjsFile(bad.file, failed).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(BundleError).with.property('kind', 'unsupported_layer');
      expect(existsSync(failed)).to.equal(false);
      expect(readdirSync(bad.dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    } finally {
      rmSync(good.dir, { recursive: true, force: true });
      rmSync(bad.dir, { recursive: true, force: true });
    }
  });
});
