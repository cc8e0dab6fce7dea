/**
 * Builds the VISTA3D demo network: five ONNX graphs with exactly VISTA3D's ONNX contract (spec section 8), from
 * the hand-chosen weights of demoWeights.ts. Deterministic: the same bytes on every run.
 *
 *   npx tsx tools/vista3d/make_demo_network.ts [output folder, default bundle/models]
 *
 * - encoder.onnx: image [b, 1, X, Y, Z] (scaled CT in [0, 1]) -> bands [b, 16, X, Y, Z]: the CT smoothed
 *   (separable 5-tap Gaussian, edge padding), then 16 soft Hounsfield bands (differences of sigmoids, summing to
 *   1 at each voxel).
 * - point_decoder.onnx, class_decoder.onnx: bands -> feat_point, class_features (the bands unchanged).
 * - class_head.onnx: class_features, class_ids int64 [K, 1] -> logits [1, K, X, Y, Z] = table[id] . features, with a
 *   512-row table that is +8 on the bands of the class's HU range and -8 elsewhere.
 * - point_head.onnx: feat_point, coords float32 [K, N, 3] (patch-local voxels), labels int64 [K, N], zeroshot bool
 *   [K] -> logits [1, K, X, Y, Z] = 8 * (sum over clicks of sign * falloff * similarity - threshold), where sign is
 *   +1 for labels 1/3, -1 for 0/2 and 0 for -1, falloff = exp(-d^2 / (2 * 16^2)) in voxels, and similarity is the
 *   band features of the voxel against those at the click through a band-affinity matrix (30 HU wide).
 * Coordinate grids are built with Range from the feature shape, so the graphs hold no large constants and take
 * any patch size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { floatAttr, GraphBuilder } from '../../src/inference/onnx/build.js';
import {
  A_MAX, A_MIN, BAND_EDGES_HU, bandCentresHu, CHANNELS, classTable, EDGE_SOFTNESS_HU, POINT_GAIN, POINT_SIGMA_VOXELS,
  POINT_SIMILARITY_HU, POINT_THRESHOLD, POINT_ZEROSHOT_EXTRA, scaled, SMOOTHING_TAPS,
} from './demoWeights.js';

const OPSET = 17;
const PRODUCER = { producerName: 'monai-bundle-ts tools/vista3d/make_demo_network.ts', producerVersion: '1' };
const DOC = 'VISTA3D demo network (intensity bands, not a trained model). See bundle/docs/README.md.';
const C = CHANNELS;

export function buildEncoder(): Uint8Array {
  const g = new GraphBuilder('vista3d_demo_encoder');
  g.input('image', 'float32', ['batch', 1, 'x', 'y', 'z']);
  const half = (SMOOTHING_TAPS.length - 1) / 2;
  g.constant('pads', 'int64', [10], [0, 0, half, half, half, 0, 0, half, half, half]);
  g.node('Pad', ['image', 'pads'], ['padded'], { mode: 'edge' });
  let smoothed = 'padded';
  for (let axis = 0; axis < 3; axis++) {
    const kernel = [1, 1, 1];
    kernel[axis] = SMOOTHING_TAPS.length;
    const w = g.initializer(`smooth_w${axis}`, Float32Array.from(SMOOTHING_TAPS), [1, 1, ...kernel]);
    const out = `smooth${axis}`;
    g.node('Conv', [smoothed, w], [out], { kernel_shape: kernel });
    smoothed = out;
  }
  // band edges: sigmoid(k * (s - edge)); k so that an edge spans EDGE_SOFTNESS_HU between 12% and 88%
  const k = (4 * (A_MAX - A_MIN)) / EDGE_SOFTNESS_HU;
  const edges = BAND_EDGES_HU.length;
  g.initializer('edge_w', new Float32Array(edges).fill(k), [edges, 1, 1, 1, 1]);
  g.initializer('edge_b', Float32Array.from(BAND_EDGES_HU, (e) => -k * scaled(e)), [edges]);
  g.node('Conv', [smoothed, 'edge_w', 'edge_b'], ['edge_logit'], { kernel_shape: [1, 1, 1] });
  g.node('Sigmoid', ['edge_logit'], ['above']);
  // bands from the step functions: f0 = 1 - T0, fi = T(i-1) - Ti, f_last = T_last
  const w2 = new Float32Array(C * edges);
  const b2 = new Float32Array(C);
  b2[0] = 1;
  w2[0] = -1;
  for (let i = 1; i < C; i++) {
    w2[i * edges + (i - 1)] = 1;
    if (i < edges) w2[i * edges + i] = -1;
  }
  g.initializer('band_w', w2, [C, edges, 1, 1, 1]);
  g.initializer('band_b', b2, [C]);
  g.node('Conv', ['above', 'band_w', 'band_b'], ['bands'], { kernel_shape: [1, 1, 1] });
  g.output('bands', 'float32', ['batch', C, 'x', 'y', 'z']);
  return g.toModel({ opset: OPSET, ...PRODUCER, docString: DOC });
}

/** Both demo decoders pass the bands on unchanged (the real ones are SegResNetDS2's two up paths). */
function buildDecoder(output: 'feat_point' | 'class_features'): Uint8Array {
  const g = new GraphBuilder(`vista3d_demo_${output === 'feat_point' ? 'point' : 'class'}_decoder`);
  g.input('bands', 'float32', ['batch', C, 'x', 'y', 'z']);
  g.node('Identity', ['bands'], [output]);
  g.output(output, 'float32', ['batch', C, 'x', 'y', 'z']);
  return g.toModel({ opset: OPSET, ...PRODUCER, docString: DOC });
}

export function buildClassHead(): Uint8Array {
  const g = new GraphBuilder('vista3d_demo_class_head');
  g.input('class_features', 'float32', [1, C, 'x', 'y', 'z']);
  g.input('class_ids', 'int64', ['K', 1]);
  g.initializer('class_embeddings', classTable(), [512, C]);
  g.node('Gather', ['class_embeddings', 'class_ids'], ['embedding'], { axis: 0 });
  g.constant('kc_shape', 'int64', [2], [-1, C]);
  g.node('Reshape', ['embedding', 'kc_shape'], ['weights']);
  g.constant('cv_shape', 'int64', [2], [C, -1]);
  g.node('Reshape', ['class_features', 'cv_shape'], ['features']);
  g.node('MatMul', ['weights', 'features'], ['flat_logits']);
  g.node('Shape', ['class_features'], ['spatial'], { start: 2 });
  g.node('Shape', ['class_ids'], ['k'], { start: 0, end: 1 });
  g.constant('one', 'int64', [1], [1]);
  g.node('Concat', ['one', 'k', 'spatial'], ['out_shape'], { axis: 0 });
  g.node('Reshape', ['flat_logits', 'out_shape'], ['logits']);
  g.output('logits', 'float32', [1, 'K', 'x', 'y', 'z']);
  return g.toModel({ opset: OPSET, ...PRODUCER, docString: DOC });
}

export function buildPointHead(): Uint8Array {
  const g = new GraphBuilder('vista3d_demo_point_head');
  g.input('feat_point', 'float32', [1, C, 'x', 'y', 'z']);
  g.input('coords', 'float32', ['K', 'N', 3]);
  g.input('labels', 'int64', ['K', 'N']);
  g.input('zeroshot', 'bool', ['K']);
  g.constant('zero_f', 'float32', [], [0]);
  g.constant('one_f', 'float32', [], [1]);

  // sizes of the patch, as float, and the flat-index strides [Y*Z, Z, 1]
  g.node('Shape', ['feat_point'], ['spatial'], { start: 2 });
  g.node('Cast', ['spatial'], ['spatial_f'], { to: 1 });
  g.node('Sub', ['spatial_f', 'one_f'], ['max_index']);
  const axes = ['x', 'y', 'z'].map((name, axis) => {
    g.constant(`axis${axis}`, 'int64', [1], [axis]);
    g.node('Gather', ['spatial_f', `axis${axis}`], [`size_${name}`], { axis: 0 });
    return `size_${name}`;
  });
  g.node('Mul', [axes[1]!, axes[2]!], ['stride_x']);
  g.constant('one_vec', 'float32', [1], [1]);
  g.node('Concat', ['stride_x', axes[2]!, 'one_vec'], ['strides'], { axis: 0 });

  // band features at each click (rounded half to even, clamped into the patch)
  g.node('Round', ['coords'], ['rounded']);
  g.node('Max', ['rounded', 'zero_f'], ['clamped_low']);
  g.node('Min', ['clamped_low', 'max_index'], ['clamped']);
  g.constant('strides_col', 'int64', [2], [3, 1]);
  g.node('Reshape', ['strides', 'strides_col'], ['strides_mat']);
  g.node('MatMul', ['clamped', 'strides_mat'], ['flat_f']);
  g.node('Cast', ['flat_f'], ['flat_i'], { to: 7 });
  g.constant('minus_one', 'int64', [1], [-1]);
  g.node('Reshape', ['flat_i', 'minus_one'], ['flat']);
  g.constant('cv_shape', 'int64', [2], [C, -1]);
  g.node('Reshape', ['feat_point', 'cv_shape'], ['features']);
  g.node('Gather', ['features', 'flat'], ['click_features_cm'], { axis: 1 });
  g.node('Transpose', ['click_features_cm'], ['click_features'], { perm: [1, 0] });
  g.initializer('band_affinity', bandAffinity(), [C, C]);
  g.node('MatMul', ['click_features', 'band_affinity'], ['click_affinity']);
  g.node('MatMul', ['click_affinity', 'features'], ['similarity_flat']);
  g.node('Shape', ['labels'], ['kn']);
  g.node('Concat', ['kn', 'spatial'], ['knxyz'], { axis: 0 });
  g.node('Reshape', ['similarity_flat', 'knxyz'], ['similarity']);

  // spatial falloff around each click, from Range grids
  const squares: string[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const grid = `grid${axis}`;
    g.constant(`scalar_axis${axis}`, 'int64', [], [axis]);
    g.node('Gather', ['spatial_f', `scalar_axis${axis}`], [`size_scalar${axis}`], { axis: 0 });
    g.node('Range', ['zero_f', `size_scalar${axis}`, 'one_f'], [`range${axis}`]);
    const shape = [1, 1, 1, 1, 1].map((v, i) => (i === 2 + axis ? -1 : v));
    g.constant(`grid_shape${axis}`, 'int64', [5], shape);
    g.node('Reshape', [`range${axis}`, `grid_shape${axis}`], [grid]);
    g.constant(`coord_start${axis}`, 'int64', [1], [axis]);
    g.constant(`coord_end${axis}`, 'int64', [1], [axis + 1]);
    g.constant(`coord_axis${axis}`, 'int64', [1], [2]);
    g.node('Slice', ['coords', `coord_start${axis}`, `coord_end${axis}`, `coord_axis${axis}`], [`c${axis}`]);
    g.constant(`unsq${axis}`, 'int64', [2], [3, 4]);
    g.node('Unsqueeze', [`c${axis}`, `unsq${axis}`], [`c${axis}_5d`]);
    g.node('Sub', [grid, `c${axis}_5d`], [`d${axis}`]);
    g.node('Mul', [`d${axis}`, `d${axis}`], [`d${axis}_sq`]);
    squares.push(`d${axis}_sq`);
  }
  g.node('Add', [squares[0]!, squares[1]!], ['d01']);
  g.node('Add', ['d01', squares[2]!], ['distance_sq']);
  g.constant('falloff_scale', 'float32', [], [-1 / (2 * POINT_SIGMA_VOXELS ** 2)]);
  g.node('Mul', ['distance_sq', 'falloff_scale'], ['falloff_arg']);
  g.node('Exp', ['falloff_arg'], ['falloff']);

  // click signs: +1 for labels 1 and 3, -1 for 0 and 2, 0 for -1 (ignored)
  const is = (value: number) => {
    g.constant(`label_${value}`, 'int64', [], [value]);
    g.node('Equal', ['labels', `label_${value}`], [`is_${value}`]);
    return `is_${value}`;
  };
  g.node('Or', [is(1), is(3)], ['positive']);
  g.node('Or', [is(0), is(2)], ['negative']);
  g.node('Cast', ['positive'], ['positive_f'], { to: 1 });
  g.node('Cast', ['negative'], ['negative_f'], { to: 1 });
  g.node('Sub', ['positive_f', 'negative_f'], ['sign']);
  g.constant('sign_axes', 'int64', [3], [2, 3, 4]);
  g.node('Unsqueeze', ['sign', 'sign_axes'], ['sign_5d']);

  g.node('Mul', ['falloff', 'similarity'], ['support']);
  g.node('Mul', ['support', 'sign_5d'], ['vote']);
  g.constant('click_axis', 'int64', [1], [1]);
  g.node('ReduceSum', ['vote', 'click_axis'], ['score'], { keepdims: 0 });

  // threshold per object, raised for zero-shot objects
  g.node('Cast', ['zeroshot'], ['zeroshot_f'], { to: 1 });
  g.constant('zeroshot_extra', 'float32', [], [POINT_ZEROSHOT_EXTRA]);
  g.constant('threshold', 'float32', [], [POINT_THRESHOLD]);
  g.node('Mul', ['zeroshot_f', 'zeroshot_extra'], ['extra']);
  g.node('Add', ['extra', 'threshold'], ['object_threshold']);
  g.constant('threshold_axes', 'int64', [3], [1, 2, 3]);
  g.node('Unsqueeze', ['object_threshold', 'threshold_axes'], ['object_threshold_4d']);
  g.node('Sub', ['score', 'object_threshold_4d'], ['margin']);
  g.constant('gain', 'float32', [], [POINT_GAIN]);
  g.node('Mul', ['margin', 'gain'], ['logits_k']);
  g.constant('batch_axis', 'int64', [1], [0]);
  g.node('Unsqueeze', ['logits_k', 'batch_axis'], ['logits']);
  g.output('logits', 'float32', [1, 'K', 'x', 'y', 'z']);
  return g.toModel({ opset: OPSET, ...PRODUCER, docString: DOC });
}

/** Similarity between bands: a Gaussian of the difference of their representative HU. */
function bandAffinity(): Float32Array {
  const centres = bandCentresHu();
  const s = new Float32Array(C * C);
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) s[i * C + j] = Math.exp(-((centres[i]! - centres[j]!) ** 2) / (2 * POINT_SIMILARITY_HU ** 2));
  return s;
}

export const DEMO_FILES = {
  'encoder.onnx': buildEncoder,
  'point_decoder.onnx': () => buildDecoder('feat_point'),
  'class_decoder.onnx': () => buildDecoder('class_features'),
  'class_head.onnx': buildClassHead,
  'point_head.onnx': buildPointHead,
} as const;

/** Writes the five graphs into `folder`; returns the files written. */
export function writeDemoNetwork(folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  return Object.entries(DEMO_FILES).map(([name, build]) => {
    const file = path.join(folder, name);
    writeFileSync(file, build());
    return file;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const folder = path.resolve(process.argv[2] ?? path.join(here, '..', '..', 'bundle', 'models'));
  for (const file of writeDemoNetwork(folder)) console.log(`wrote ${file}`);
}
