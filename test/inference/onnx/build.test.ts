import { expect } from 'chai';
import { BundleError } from '../../../src/errors/index.js';
import { GraphBuilder, floatAttr, irVersionForOpset } from '../../../src/inference/onnx/build.js';
import { runModel } from './runModel.js';

const f32 = (values: number[]) => Float32Array.from(values);

describe('GraphBuilder', () => {
  it('builds a 3-D Conv with bias, padding and dilation that onnxruntime runs with the hand-computed result', async () => {
    // 1x1x3x3x3 input of ones; a 3x3x3 kernel of ones with dilation 1 and pads 1 counts the in-bounds neighbours.
    const g = new GraphBuilder('conv');
    g.input('x', 'float32', [1, 1, 3, 3, 3]);
    g.initializer('w', new Float32Array(27).fill(1), [1, 1, 3, 3, 3]);
    g.initializer('b', f32([0.5]), [1]);
    g.node('Conv', ['x', 'w', 'b'], ['y'], { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1], dilations: [1, 1, 1] });
    g.output('y', 'float32', [1, 1, 3, 3, 3]);
    const out = await runModel(g.toModel(), { x: { type: 'float32', dims: [1, 1, 3, 3, 3], data: new Float32Array(27).fill(1) } });
    const y = out.y!.data as Float32Array;
    expect(out.y!.dims).to.deep.equal([1, 1, 3, 3, 3]);
    expect(y[0]).to.equal(8 + 0.5); // corner: 2x2x2 neighbours
    expect(y[13]).to.equal(27 + 0.5); // centre
    expect(y[1]).to.equal(12 + 0.5); // edge: 2x3x2
  });

  it('accepts dynamic dimensions (null and named) and runs on any size', async () => {
    const g = new GraphBuilder('relu');
    g.input('x', 'float32', [null, 'n']);
    g.node('Relu', ['x'], ['y']);
    g.output('y', 'float32', [null, 'n']);
    const bytes = g.toModel();
    for (const n of [1, 5]) {
      const data = Float32Array.from({ length: 2 * n }, (_, i) => i - n);
      const out = await runModel(bytes, { x: { type: 'float32', dims: [2, n], data } });
      expect(Array.from(out.y!.data as Float32Array)).to.deep.equal(Array.from(data, (v) => Math.max(0, v)));
    }
  });

  it('chains MatMul, Add and Sigmoid', async () => {
    const g = new GraphBuilder('mlp');
    g.input('x', 'float32', [1, 2]);
    g.initializer('w', f32([1, 2, 3, 4, 5, 6]), [2, 3]);
    g.initializer('b', f32([0, -10, 1]), [3]);
    g.node('MatMul', ['x', 'w'], ['xw']);
    g.node('Add', ['xw', 'b'], ['z']);
    g.node('Sigmoid', ['z'], ['y']);
    g.output('z', 'float32', [1, 3]);
    g.output('y', 'float32', [1, 3]);
    const out = await runModel(g.toModel(), { x: { type: 'float32', dims: [1, 2], data: f32([1, -1]) } });
    // [1,-1] x [[1,2,3],[4,5,6]] = [-3,-3,-3]; + b = [-3,-13,-2]
    expect(Array.from(out.z!.data as Float32Array)).to.deep.equal([-3, -13, -2]);
    const y = Array.from(out.y!.data as Float32Array);
    [-3, -13, -2].forEach((z, i) => expect(y[i]).to.be.closeTo(1 / (1 + Math.exp(-z)), 1e-6));
  });

  it('writes int attributes as ints and ArgMax returns int64 indices', async () => {
    const g = new GraphBuilder('argmax');
    g.input('x', 'float32', [1, 3, 2]);
    g.node('ArgMax', ['x'], ['y'], { axis: 1, keepdims: 1 });
    g.output('y', 'int64', [1, 1, 2]);
    const data = f32([0, 5, 9, 1, 2, 7]); // channel-major: position 0 -> [0,9,2] -> 1; position 1 -> [5,1,7] -> 2
    const out = await runModel(g.toModel(), { x: { type: 'float32', dims: [1, 3, 2], data } });
    expect(out.y!.type).to.equal('int64');
    expect(Array.from(out.y!.data as BigInt64Array)).to.deep.equal([1n, 2n]);
  });

  it('stores int64 and int32 constants that Gather and Cast use', async () => {
    const g = new GraphBuilder('gather');
    g.input('x', 'float32', [4]);
    g.constant('idx', 'int64', [3], [3, 0, 3]);
    g.node('Gather', ['x', 'idx'], ['y'], { axis: 0 });
    g.constant('k', 'int32', [2], [7, -2]);
    g.node('Cast', ['k'], ['kf'], { to: 1 });
    g.output('y', 'float32', [3]);
    g.output('kf', 'float32', [2]);
    const out = await runModel(g.toModel(), { x: { type: 'float32', dims: [4], data: f32([10, 11, 12, 13]) } });
    expect(Array.from(out.y!.data as Float32Array)).to.deep.equal([13, 10, 13]);
    expect(Array.from(out.kf!.data as Float32Array)).to.deep.equal([7, -2]);
  });

  it('takes bool inputs and bool constants for Where', async () => {
    const g = new GraphBuilder('where');
    g.input('c', 'bool', [3]);
    g.initializer('a', f32([1, 2, 3]), [3]);
    g.initializer('b', f32([-1, -2, -3]), [3]);
    g.constant('flip', 'bool', [3], [1, 1, 0]);
    g.node('Xor', ['c', 'flip'], ['c2']);
    g.node('Where', ['c2', 'a', 'b'], ['y']);
    g.output('y', 'float32', [3]);
    const out = await runModel(g.toModel(), { c: { type: 'bool', dims: [3], data: Uint8Array.from([1, 0, 1]) } });
    // c xor flip = [0, 1, 1]
    expect(Array.from(out.y!.data as Float32Array)).to.deep.equal([-1, 2, 3]);
  });

  it('writes wrapped float attributes as floats even when integral (Elu alpha = 1)', async () => {
    const g = new GraphBuilder('elu');
    g.input('x', 'float32', [2]);
    g.node('Elu', ['x'], ['y'], { alpha: floatAttr(1) });
    g.node('LeakyRelu', ['x'], ['z'], { alpha: 0.25 });
    g.output('y', 'float32', [2]);
    g.output('z', 'float32', [2]);
    const out = await runModel(g.toModel(), { x: { type: 'float32', dims: [2], data: f32([-1, 2]) } });
    expect((out.y!.data as Float32Array)[0]).to.be.closeTo(Math.exp(-1) - 1, 1e-6);
    expect(Array.from(out.z!.data as Float32Array)).to.deep.equal([-0.25, 2]);
  });

  it('passes tensor attributes (Constant, ConstantOfShape) and string attributes (Pad mode)', async () => {
    const g = new GraphBuilder('const');
    g.node('Constant', [], ['shape'], { value: { type: 'int64', dims: [2], data: BigInt64Array.from([2n, 3n]) } });
    g.node('ConstantOfShape', ['shape'], ['y'], { value: { type: 'float32', dims: [1], data: f32([1.5]) } });
    g.input('x', 'float32', [2, 3]);
    g.node('Add', ['x', 'y'], ['z']);
    g.constant('pads', 'int64', [4], [0, 1, 0, 0]);
    g.node('Pad', ['z', 'pads'], ['p'], { mode: 'constant' });
    g.output('p', 'float32', [2, 4]);
    const out = await runModel(g.toModel(), { x: { type: 'float32', dims: [2, 3], data: new Float32Array(6) } });
    expect(out.p!.dims).to.deep.equal([2, 4]);
    expect(Array.from(out.p!.data as Float32Array)).to.deep.equal([0, 1.5, 1.5, 1.5, 0, 1.5, 1.5, 1.5]);
  });

  it('produces identical bytes for identical calls', () => {
    const build = () => {
      const g = new GraphBuilder('same');
      g.input('x', 'float32', [null, 2]);
      g.initializer('w', f32([1, 2, 3, 4]), [2, 2]);
      g.node('MatMul', ['x', 'w'], ['y'], {}, { name: 'mm' });
      g.output('y', 'float32', [null, 2]);
      return Buffer.from(g.toModel({ opset: 17, metadata: { b: '2', a: '1' } }));
    };
    expect(build().equals(build())).to.equal(true);
  });

  it('rejects a node that reads an undefined value, naming it', () => {
    const g = new GraphBuilder('bad');
    g.input('x', 'float32', [1]);
    expect(() => g.node('Add', ['x', 'nope'], ['y'])).to.throw(BundleError, /"nope"/);
  });

  it('rejects a value defined twice and an output nothing produces', () => {
    const g = new GraphBuilder('bad');
    g.input('x', 'float32', [1]);
    expect(() => g.node('Relu', ['x'], ['x'])).to.throw(BundleError, /twice/);
    expect(() => g.output('missing', 'float32', [1])).to.throw(BundleError, /"missing"/);
  });

  it('rejects tensor data whose length does not match its dims', () => {
    const g = new GraphBuilder('bad');
    expect(() => g.initializer('w', f32([1, 2, 3]), [2, 2])).to.throw(BundleError, /3 values.*need 4/);
  });

  it('unique() never returns a name already defined', () => {
    const g = new GraphBuilder('names');
    g.input('t_0', 'float32', [1]);
    const a = g.unique('t');
    const b = g.unique('t');
    expect(a).to.not.equal('t_0');
    expect(a).to.not.equal(b);
  });

  it('picks the IR version that matches the opset', () => {
    expect(irVersionForOpset(13)).to.equal(7);
    expect(irVersionForOpset(17)).to.equal(8);
    expect(irVersionForOpset(20)).to.equal(9);
  });
});
