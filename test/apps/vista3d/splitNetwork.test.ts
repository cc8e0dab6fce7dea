/**
 * The five-graph VISTA3D contract (encoder trunk, one decoder per prompt mode, cheap class head): each prompt
 * mode runs only its decoder, each at most once per window, and the results equal the three-graph export's.
 */
import { expect } from 'chai';
import { Vista3dInferer } from '../../../src/apps/vista3d/Vista3dInferer.js';
import { Vista3dNetwork } from '../../../src/apps/vista3d/network.js';
import { rejection } from '../../helpers/errors.js';
import type { Tensor } from '../../../src/inference/types.js';
import { fakeVista, P } from './fakeNetwork.js';

/** id/200 in blocks of 5 voxels along x for ids 3, 5, 7, 9 (as Vista3dInferer.test.ts), 0.9 beyond */
function blocks(): Tensor {
  const [X, Y, Z] = [20, 18, 24];
  const data = new Float32Array(X * Y * Z);
  for (let i = 0; i < data.length; i++) {
    const x = Math.floor(i / (Y * Z));
    data[i] = x < 20 ? [3, 5, 7, 9][Math.floor(x / 5)]! / 200 : 0.9;
  }
  return { type: 'float32', dims: [1, 1, X, Y, Z], data };
}

const inferer = (stitchMemoryBytes?: number) => new Vista3dInferer({ roiSize: [P, P, P], ...(stitchMemoryBytes ? { stitchMemoryBytes } : {}) });

describe('VISTA3D five-graph export (encoder, point and class decoders, heads)', () => {
  it('a label prompt runs the class decoder once per window and never the point decoder; same logits as three graphs', async () => {
    const split = fakeVista({ split: true });
    const three = fakeVista();
    const request = { classIds: [5], points: null, pointLabels: null };
    const a = await inferer().run(blocks(), split.network, request);
    const b = await inferer().run(blocks(), three.network, request);
    expect(a.output.data).to.deep.equal(b.output.data);
    expect(a.encoderRuns).to.equal(a.windows);
    expect(split.classDecoder!.calls).to.equal(split.encoder.calls);
    expect(split.pointDecoder!.calls).to.equal(0);
  });

  it('clicks only run the point decoder and never the class decoder; same logits as three graphs', async () => {
    const split = fakeVista({ split: true });
    const three = fakeVista();
    const request = { classIds: null, points: [[7, 9, 12]], pointLabels: [1] };
    const a = await inferer().run(blocks(), split.network, request);
    const b = await inferer().run(blocks(), three.network, request);
    expect(a.output.data).to.deep.equal(b.output.data);
    expect(split.pointDecoder!.calls).to.be.greaterThan(0);
    expect(split.pointDecoder!.calls).to.equal(split.pointHead.calls);
    expect(split.classDecoder!.calls).to.equal(0);
  });

  it('everything mode split into passes: encoder and class decoder once per window, the same labels as three graphs', async () => {
    const ids = [9, 3, 5, 7, 100, 3];
    const split = fakeVista({ split: true });
    const three = fakeVista();
    const request = { classIds: ids, points: null, pointLabels: null };
    const a = await inferer(1).run(blocks(), split.network, request);
    const b = await inferer().run(blocks(), three.network, request);
    expect(a.output.data).to.deep.equal(b.output.data);
    expect(a.encoderRuns).to.equal(a.windows);
    expect(split.classDecoder!.calls).to.equal(split.encoder.calls);
    expect(split.classHead.calls).to.equal(ids.length * three.classHead.calls); // one pass per id
  });

  it('a five-graph encoder without its decoder fails naming the missing decoder', async () => {
    const { encoder, classHead, pointHead, pointDecoder } = fakeVista({ split: true });
    const network = new Vista3dNetwork({ encoder, classHead, pointHead, pointDecoder });
    const error = await rejection(inferer().run(blocks(), network, { classIds: [5], points: null, pointLabels: null }));
    expect(error.kind).to.equal('model_error');
    expect(error.message).to.match(/needs a class decoder, and network_def has no class_decoder/);
  });
});
