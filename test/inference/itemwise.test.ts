import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { OnnxNetwork } from '../../src/inference/OnnxNetwork.js';
import { GraphBuilder } from '../../src/inference/onnx/build.js';
import { asPredictor } from '../../src/inference/predictor.js';
import { SlidingWindowInferer } from '../../src/inference/SlidingWindowInferer.js';
import type { Network, Tensor } from '../../src/inference/types.js';

/** Conv(2 -> 3 channels, 3³) + InstanceNormalization + Relu: per-item statistics, so a batch mix-up shows. */
function convNormModel(batch: number | null): Uint8Array {
  const g = new GraphBuilder('convnorm');
  g.input('x', 'float32', [batch, 2, null, null, null]);
  g.initializer('w', Float32Array.from({ length: 3 * 2 * 27 }, (_, i) => Math.sin(i * 1.7) / 9), [3, 2, 3, 3, 3]);
  g.initializer('scale', Float32Array.of(1, 0.5, 2), [3]);
  g.initializer('bias', Float32Array.of(0, 0.1, -0.2), [3]);
  g.node('Conv', ['x', 'w'], ['c'], { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] });
  g.node('InstanceNormalization', ['c', 'scale', 'bias'], ['n'], { epsilon: 1e-5 });
  g.node('Relu', ['n'], ['y']);
  g.output('y', 'float32', [batch, 3, null, null, null]);
  return g.toModel({ opset: 17 });
}

function image(dims: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { type: 'float32', dims, data: Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.37) * (1 + (i % 11))) };
}

/** Records the batch size of every run of `net`. */
function spied(net: OnnxNetwork, seen: number[]): Network {
  return {
    name: net.name,
    get inputNames() { return net.inputNames; },
    get outputNames() { return net.outputNames; },
    get itemwise() { return net.itemwise; },
    load: () => net.load(),
    run: (feeds) => {
      seen.push(Object.values(feeds)[0]!.dims[0]!);
      return net.run(feeds);
    },
  };
}

describe('itemwise window batches on CPU', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'itemwise-'));
    writeFileSync(path.join(dir, 'dynamic.onnx'), convNormModel(null));
    writeFileSync(path.join(dir, 'fixed.onnx'), convNormModel(4));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('feeds an sw_batch_size batch one window at a time and gives the bits of the whole batch run at once', async () => {
    const net = new OnnxNetwork({ path: path.join(dir, 'dynamic.onnx'), intraOpNumThreads: 1 });
    const input = image([1, 2, 13, 11, 9]);
    const inferer = new SlidingWindowInferer({ roiSize: [6, 6, 6], swBatchSize: 4, overlap: 0.5, mode: 'gaussian' });
    const seen: number[] = [];
    const itemwise = await inferer.infer(input, spied(net, seen));
    expect(net.itemwise).to.equal(true);
    expect(seen.length).to.be.greaterThan(4);
    expect(new Set(seen)).to.deep.equal(new Set([1]));
    // the same network fed whole batches, as a GPU would be
    const batched: number[] = [];
    const whole = await inferer.infer(input, async (batch) => {
      batched.push(batch.dims[0]!);
      return (await net.run({ x: batch })).y!;
    });
    expect(Math.max(...batched)).to.equal(4);
    expect(itemwise.dims).to.deep.equal([1, 3, 13, 11, 9]);
    expect(Buffer.from((itemwise.data as Float32Array).buffer).equals(Buffer.from((whole.data as Float32Array).buffer))).to.equal(true);
  });

  it('keeps the batch for a model that declares a fixed batch larger than 1', async () => {
    const net = new OnnxNetwork({ path: path.join(dir, 'fixed.onnx'), intraOpNumThreads: 1 });
    await net.load();
    expect(net.itemwise).to.equal(false);
    const seen: number[] = [];
    const out = await asPredictor(spied(net, seen))(image([4, 2, 5, 5, 5]));
    expect(seen).to.deep.equal([4]);
    expect(out.dims).to.deep.equal([4, 3, 5, 5, 5]);
  });

  it('reports a network that returns a batch other than 1 for one window', async () => {
    const bad: Network = {
      name: 'doubler',
      inputNames: ['x'],
      outputNames: ['y'],
      itemwise: true,
      run: async ({ x }) => ({ y: { type: 'float32', dims: [2, ...x!.dims.slice(1)], data: new Float32Array(2 * x!.data.length) } }),
    };
    const err = await asPredictor(bad)(image([3, 1, 2, 2, 2])).catch((e) => e);
    expect(err).to.have.property('kind', 'shape_mismatch');
    expect(err.message).to.match(/"doubler" returned shape \[2, 1, 2, 2, 2\] for one window/);
  });
});
