/**
 * The converter checked against an independent export of the same network: niivue-onnx's
 * model5_gw_ae_original.onnx (PyTorch export), on a 64^3 block of the real T1 (the full 256^3 check is in
 * bench/convert.ts). niivue's graph takes the NIfTI buffer in file order ([1, 1, nz, ny, nx]); ours takes the
 * interpreter's layout ([1, 1, X, Y, Z]) unless converted with reverseSpatialAxes.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { readNifti } from '../../../src/image/nifti/read.js';
import type { Volume } from '../../../src/image/Volume.js';
import { ScaleIntensityd } from '../../../src/transforms/intensity/ScaleIntensityd.js';
import { tfjsToOnnx } from '../../../src/inference/convert/toOnnx.js';
import { readTfjsModel } from '../../../src/inference/convert/tfjsModel.js';
import { repoPath, sharedPath } from '../../helpers/shared.js';
import { runModel } from '../onnx/runModel.js';

const { onnx } = onnxProto;
const B = 64;
const START = 96;

/** niivue's export declares 256^3; the convolutions themselves take any size, so relax the declared shape. */
function withDynamicSpatialDims(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  for (const info of [...model.graph!.input!, ...model.graph!.output!]) {
    const dims = info.type!.tensorType!.shape!.dim!;
    for (let i = 2; i < dims.length; i++) dims[i] = onnx.TensorShapeProto.Dimension.create({ dimParam: `s${i}` });
  }
  return onnx.ModelProto.encode(model).finish();
}

describe('model5_gw_ae converted from TF.js vs niivue-onnx\'s export, on a 64^3 block of the T1', () => {
  let xyz: Float32Array; // C order over [X, Y, Z]
  let fileOrder: Float32Array; // C order over [Z, Y, X]
  let niivue: Float32Array; // logits [1, 3, Z, Y, X]

  before(async function () {
    const t1 = sharedPath(this, 'data', 'brain', 'brainchop_t1_crop_conformed.nii.gz');
    const niivueFile = sharedPath(this, 'data', 'models', 'niivue-onnx_model5_gw_ae_original.onnx');
    sharedPath(this, 'data', 'models', 'tfjs', 'model5_gw_ae', 'model.json');
    // min-max to [0, 1] over the whole T1 with the bundle's own transform, then a block of it
    const volume = (await new ScaleIntensityd({ keys: 'image' }).apply({ image: await readNifti(t1) })).image as Volume;
    const [, X, Y, Z] = volume.shape as [number, number, number, number];
    const data = volume.data as Float32Array;
    xyz = new Float32Array(B ** 3);
    fileOrder = new Float32Array(B ** 3);
    for (let x = 0; x < B; x++) for (let y = 0; y < B; y++) for (let z = 0; z < B; z++) {
      const v = data[((START + x) * Y + START + y) * Z + START + z]!;
      xyz[(x * B + y) * B + z] = v;
      fileOrder[(z * B + y) * B + x] = v;
    }
    expect([X, Y, Z]).to.deep.equal([256, 256, 256]);
    const out = await runModel(withDynamicSpatialDims(readFileSync(niivueFile)), { input: { type: 'float32', dims: [1, 1, B, B, B], data: fileOrder } });
    niivue = out.output!.data as Float32Array;
  });

  it('with reverseSpatialAxes, on input in file order, gives niivue\'s logits (max abs difference below 1e-5)', async function () {
    const { bytes } = tfjsToOnnx(await readTfjsModel(sharedPath(this, 'data', 'models', 'tfjs', 'model5_gw_ae', 'model.json')), { reverseSpatialAxes: true });
    const ours = (await runModel(bytes, { input: { type: 'float32', dims: [1, 1, B, B, B], data: fileOrder } })).output!.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - niivue[i]!));
    expect(maxDiff).to.be.below(1e-5);
  });

  it('with computeInFileOrder (the shipped model5_gw_ae.onnx), on input in our [X, Y, Z] layout, gives niivue\'s logits transposed (max abs difference below 1e-5)', async function () {
    const { bytes } = tfjsToOnnx(await readTfjsModel(sharedPath(this, 'data', 'models', 'tfjs', 'model5_gw_ae', 'model.json')), { computeInFileOrder: true });
    const shipped = readFileSync(repoPath('examples', 'brain-meshnet', 'models', 'model5_gw_ae.onnx'));
    expect(Buffer.from(bytes).equals(shipped)).to.equal(true);
    const ours = (await runModel(shipped, { input: { type: 'float32', dims: [1, 1, B, B, B], data: xyz } })).output!.data as Float32Array;
    const N = B ** 3;
    let maxDiff = 0;
    for (let c = 0; c < 3; c++) for (let x = 0; x < B; x++) for (let y = 0; y < B; y++) for (let z = 0; z < B; z++) {
      maxDiff = Math.max(maxDiff, Math.abs(ours[c * N + (x * B + y) * B + z]! - niivue[c * N + (z * B + y) * B + x]!));
    }
    expect(maxDiff).to.be.below(1e-5);
  });

  it('by default, on input in our [X, Y, Z] layout, gives niivue\'s logits transposed and the same argmax everywhere', async function () {
    const { bytes } = tfjsToOnnx(await readTfjsModel(sharedPath(this, 'data', 'models', 'tfjs', 'model5_gw_ae', 'model.json')));
    const ours = (await runModel(bytes, { input: { type: 'float32', dims: [1, 1, B, B, B], data: xyz } })).output!.data as Float32Array;
    const N = B ** 3;
    let maxDiff = 0;
    let maxLogit = 0;
    let disagreements = 0;
    for (let x = 0; x < B; x++) for (let y = 0; y < B; y++) for (let z = 0; z < B; z++) {
      const a = (x * B + y) * B + z;
      const b = (z * B + y) * B + x;
      let la = 0;
      let lb = 0;
      for (let c = 0; c < 3; c++) {
        maxDiff = Math.max(maxDiff, Math.abs(ours[c * N + a]! - niivue[c * N + b]!));
        maxLogit = Math.max(maxLogit, Math.abs(niivue[c * N + b]!));
        if (ours[c * N + a]! > ours[la * N + a]!) la = c;
        if (niivue[c * N + b]! > niivue[lb * N + b]!) lb = c;
      }
      if (la !== lb) disagreements++;
    }
    // Same function, but the convolution sums run in another order in this layout: float32 rounding only
    // (the full-size T1 gives 3.5e-5 with logits up to 14; see bench/convert.ts).
    expect(maxLogit).to.be.greaterThan(1);
    expect(maxDiff).to.be.below(1e-4);
    expect(disagreements).to.equal(0);
  });
});
