/**
 * The TF.js -> ONNX converter: conversion time for the shipped MeshNet models, and the full-size check of
 * the shipped model5_gw_ae.onnx against niivue-onnx's export on the 256^3 T1 (the suite runs the same check on a
 * 64^3 block). Needs ../shared; prints a note and returns when it is absent.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { readNifti } from '../src/image/nifti/read.js';
import type { Volume } from '../src/image/Volume.js';
import { ScaleIntensityd } from '../src/transforms/intensity/ScaleIntensityd.js';
import { tfjsToOnnx } from '../src/inference/convert/toOnnx.js';
import { readTfjsModel } from '../src/inference/convert/tfjsModel.js';
import { SHARED_DIR, hasShared, repoPath } from '../test/helpers/shared.js';

const MODELS = ['model5_gw_ae', 'model18cls', 'mindgrab'];
const INTRA_OP_THREADS = 2;

export async function run(): Promise<void> {
  if (!hasShared('data', 'models', 'tfjs') || !hasShared('data', 'brain', 'brainchop_t1_crop_conformed.nii.gz')) {
    console.log('skipped: ../shared/data (TF.js models, T1) is not present beside the checkout');
    return;
  }
  const tfjs = (name: string) => path.join(SHARED_DIR, 'data', 'models', 'tfjs', name, 'model.json');

  console.log('conversion (read model.json + shards, build, serialise)');
  console.log('model         | ms    | ONNX bytes');
  for (const name of MODELS) {
    const t0 = performance.now();
    const { bytes } = tfjsToOnnx(await readTfjsModel(tfjs(name)));
    console.log(`${name.padEnd(13)} | ${(performance.now() - t0).toFixed(0).padStart(5)} | ${bytes.length}`);
  }

  // min-max to [0, 1] with the bundle's own transform, as `bundle run` feeds the network
  const loaded = await readNifti(path.join(SHARED_DIR, 'data', 'brain', 'brainchop_t1_crop_conformed.nii.gz'));
  const volume = (await new ScaleIntensityd({ keys: 'image' }).apply({ image: loaded })).image as Volume;
  const [, X, Y, Z] = volume.shape as [number, number, number, number];
  const xyz = volume.data as Float32Array;
  const fileOrder = new Float32Array(xyz.length);
  for (let x = 0; x < X; x++) for (let y = 0; y < Y; y++) for (let z = 0; z < Z; z++) fileOrder[(z * Y + y) * X + x] = xyz[(x * Y + y) * Z + z]!;
  const N = X * Y * Z;
  const xyzIndexOfFileIndex = (i: number) => {
    const x = i % X;
    const y = Math.floor(i / X) % Y;
    const z = Math.floor(i / (X * Y));
    return (x * Y + y) * Z + z;
  };

  const niivueBytes = readFileSync(path.join(SHARED_DIR, 'data', 'models', 'niivue-onnx_model5_gw_ae_original.onnx'));
  const niivue = await timedRun('niivue export, file order', niivueBytes, fileOrder, [1, 1, Z, Y, X]);
  const model = await readTfjsModel(tfjs('model5_gw_ae'));
  const reversed = await timedRun('converted --reverse_spatial_axes, file order', tfjsToOnnx(model, { reverseSpatialAxes: true }).bytes, fileOrder, [1, 1, Z, Y, X]);
  // the shipped file (converted with --compute_in_file_order), as the brain-meshnet bundle runs it
  const shippedBytes = readFileSync(repoPath('examples', 'brain-meshnet', 'models', 'model5_gw_ae.onnx'));
  const ours = await timedRun('shipped model5_gw_ae.onnx, [X,Y,Z] layout', shippedBytes, xyz, [1, 1, X, Y, Z]);

  let diffReversed = 0;
  for (let i = 0; i < niivue.logits.length; i++) diffReversed = Math.max(diffReversed, Math.abs(niivue.logits[i]! - reversed.logits[i]!));
  let diffOurs = 0;
  let maxLogit = 0;
  let disagreements = 0;
  for (let i = 0; i < N; i++) {
    const j = xyzIndexOfFileIndex(i);
    let a = 0;
    let b = 0;
    for (let c = 0; c < 3; c++) {
      diffOurs = Math.max(diffOurs, Math.abs(niivue.logits[c * N + i]! - ours.logits[c * N + j]!));
      maxLogit = Math.max(maxLogit, Math.abs(niivue.logits[c * N + i]!));
      if (niivue.logits[c * N + i]! > niivue.logits[a * N + i]!) a = c;
      if (ours.logits[c * N + j]! > ours.logits[b * N + j]!) b = c;
    }
    if (a !== b) disagreements++;
  }
  let referenceAgreement = 'n/a';
  if (hasShared('reference', 'brainchop', 't1_crop__model5_gw_ae__labels.nii.gz')) {
    const labels = await readNifti(path.join(SHARED_DIR, 'reference', 'brainchop', 't1_crop__model5_gw_ae__labels.nii.gz'));
    let equal = 0;
    for (let j = 0; j < N; j++) {
      let b = 0;
      for (let c = 1; c < 3; c++) if (ours.logits[c * N + j]! > ours.logits[b * N + j]!) b = c;
      if (b === labels.data[j]) equal++;
    }
    referenceAgreement = `${((100 * equal) / N).toFixed(4)}%`;
  }

  console.log(`\nmodel5_gw_ae on the ${X}x${Y}x${Z} T1 (onnxruntime CPU, intra-op threads ${INTRA_OP_THREADS})`);
  console.log('run                                              | session ms | run ms');
  for (const r of [niivue, reversed, ours]) console.log(`${r.label.padEnd(48)} | ${r.createMs.toFixed(0).padStart(10)} | ${r.runMs.toFixed(0).padStart(6)}`);
  console.log(`max |logit| (niivue)                                   ${maxLogit.toFixed(3)}`);
  console.log(`max abs diff, reversed kernels vs niivue (same layout) ${diffReversed.toExponential(2)}`);
  console.log(`max abs diff, shipped vs niivue (transposed)           ${diffOurs.toExponential(2)}`);
  console.log(`argmax disagreements, shipped vs niivue                ${disagreements} of ${N}`);
  console.log(`argmax equal to reference labels (brainchop)           ${referenceAgreement}`);
}

async function timedRun(label: string, bytes: Uint8Array, data: Float32Array, dims: number[]) {
  const ort = await import('onnxruntime-node');
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: INTRA_OP_THREADS });
  const createMs = performance.now() - t0;
  const t1 = performance.now();
  const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, dims) });
  const runMs = performance.now() - t1;
  const logits = result[session.outputNames[0]!]!.data as Float32Array;
  await session.release();
  return { label, createMs, runMs, logits };
}
