/**
 * The VISTA3D demo network: the committed ONNX files are what the script builds, and the five graphs keep
 * VISTA3D's contract (names, shapes, dynamic K and N) and behave as documented (bands, class ranges, clicks).
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Tensor } from '../../../src/inference/types.js';
import { scaled } from '../../../tools/vista3d/demoWeights.js';
import { buildClassHead, buildEncoder, buildPointHead, DEMO_FILES } from '../../../tools/vista3d/make_demo_network.js';
import { BUNDLE, tempDir } from '../../bundle/vistaRun.js';
import { repoPath } from '../../helpers/shared.js';
import { runModel } from '../../inference/onnx/runModel.js';

const P = 32;
const V = P * P * P;
const f32 = (dims: number[], data: Float32Array): Tensor => ({ type: 'float32', dims, data });
const i64 = (dims: number[], values: number[]): Tensor => ({ type: 'int64', dims, data: BigInt64Array.from(values.map(BigInt)) });
const at = (x: number, y: number, z: number) => (x * P + y) * P + z;

/** A patch whose lower half (x < 16) is `lowHu` and upper half `highHu`. */
function patch(lowHu: number, highHu: number): Tensor {
  const data = new Float32Array(V);
  for (let i = 0; i < V; i++) data[i] = scaled(Math.floor(i / (P * P)) < P / 2 ? lowHu : highHu);
  return f32([1, 1, P, P, P], data);
}

async function features(image: Tensor): Promise<Tensor> {
  return (await runModel(buildEncoder(), { image })).bands!;
}

async function clickLogits(feat: Tensor, points: number[][], labels: number[], zeroshot = false): Promise<Float32Array> {
  const out = await runModel(buildPointHead(), {
    feat_point: feat,
    coords: f32([1, points.length, 3], Float32Array.from(points.flat())),
    labels: i64([1, labels.length], labels),
    zeroshot: { type: 'bool', dims: [1], data: Uint8Array.from([zeroshot ? 1 : 0]) },
  });
  expect(out.logits!.dims).to.deep.equal([1, 1, P, P, P]);
  return out.logits!.data as Float32Array;
}

describe('tools/vista3d/make_demo_network.ts', function () {
  this.timeout(60_000);

  it('re-running the script reproduces the committed bundle/models files byte for byte', () => {
    const folder = tempDir('models');
    try {
      execFileSync(process.execPath, ['--import', 'tsx', repoPath('tools', 'vista3d', 'make_demo_network.ts'), folder], { stdio: 'pipe' });
      for (const name of Object.keys(DEMO_FILES)) {
        expect(readFileSync(path.join(folder, name)).equals(readFileSync(path.join(BUNDLE, 'models', name))), name).to.equal(true);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('is small: the graphs together stay under 1 MB', () => {
    const total = Object.keys(DEMO_FILES).reduce((sum, name) => sum + statSync(path.join(BUNDLE, 'models', name)).size, 0);
    expect(total).to.be.lessThan(1_000_000);
  });

  it('encoder: bands [b, 16, X, Y, Z] that sum to 1 and pick the voxel\'s HU band; both decoders pass them on', async () => {
    const out = await runModel(buildEncoder(), { image: patch(-1000, 55) });
    expect(out.bands!.dims).to.deep.equal([1, 16, P, P, P]);
    const f = out.bands!.data as Float32Array;
    const point = (await runModel(DEMO_FILES['point_decoder.onnx'](), { bands: out.bands! })).feat_point!;
    const klass = (await runModel(DEMO_FILES['class_decoder.onnx'](), { bands: out.bands! })).class_features!;
    expect(Array.from(point.data as Float32Array)).to.deep.equal(Array.from(f));
    expect(Array.from(klass.data as Float32Array)).to.deep.equal(Array.from(f));
    const band = (v: number) => Array.from({ length: 16 }, (_, c) => f[c * V + v]!);
    for (const v of [at(2, 5, 5), at(28, 5, 5), at(15, 5, 5)]) expect(band(v).reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-5);
    expect(band(at(2, 5, 5))[0]).to.be.greaterThan(0.99); // air
    expect(band(at(28, 5, 5))[9]).to.be.greaterThan(0.8); // 50-60 HU (soft edges, 8 HU wide)
  });

  it('class head: liver (1) is foreground at 55 HU and not in air, bone (33) is not foreground in soft tissue; K = 1 and K = 3 agree', async () => {
    const feat = await features(patch(-1000, 55));
    const three = (await runModel(buildClassHead(), { class_features: feat, class_ids: i64([3, 1], [1, 33, 140]) })).logits!;
    expect(three.dims).to.deep.equal([1, 3, P, P, P]);
    const l = three.data as Float32Array;
    expect(l[at(28, 5, 5)]).to.be.greaterThan(0); // liver in 55 HU
    expect(l[at(2, 5, 5)]).to.be.lessThan(0); // liver in air
    expect(l[V + at(28, 5, 5)]).to.be.lessThan(0); // bone in 55 HU
    expect(l[2 * V + at(28, 5, 5)]).to.be.lessThan(0); // 140: no class, never foreground
    const one = (await runModel(buildClassHead(), { class_features: feat, class_ids: i64([1, 1], [33]) })).logits!.data as Float32Array;
    expect(Array.from(one)).to.deep.equal(Array.from(l.subarray(V, 2 * V)));
  });

  it('point head: a positive click marks similar voxels near it, a negative click lowers, label -1 is ignored', async () => {
    const feat = await features(patch(-1000, 55));
    const click = [24, 16, 16];
    const positive = await clickLogits(feat, [click], [1]);
    expect(positive[at(24, 16, 16)]).to.be.greaterThan(0);
    expect(positive[at(28, 20, 20)]).to.be.greaterThan(0); // near, same tissue
    expect(positive[at(4, 16, 16)]).to.be.lessThan(0); // air: not similar
    const withNegative = await clickLogits(feat, [click, [28, 20, 20]], [1, 0]);
    expect(withNegative[at(28, 20, 20)]).to.be.lessThan(positive[at(28, 20, 20)]!);
    const ignored = await clickLogits(feat, [click, [28, 20, 20]], [1, -1]);
    expect(Array.from(ignored)).to.deep.equal(Array.from(positive));
    const zeroShot = await clickLogits(feat, [click], [1], true);
    expect(zeroShot[at(24, 16, 16)]).to.be.lessThan(positive[at(24, 16, 16)]!);
  });
});
