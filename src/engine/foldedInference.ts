/**
 * The inferer with post-processing's leading voxel-wise steps folded in (transforms/voxelwise.ts): each slab
 * of the output goes through the steps as soon as the inferer finishes it, and only the steps' result is
 * kept. A 105-class softmax + argmax (wholeBody) then holds one channel of the whole volume instead of the
 * 105-channel output and its softmax copy: the same values, since every step is voxel-wise. The steps take
 * a slab a few rows at a time.
 */
import { allocate, cloneMat4, type DType, numel, type TypedArray, type Volume } from '../image/Volume.js';
import type { InferHooks, Network, Predictor, SlabInferer, Tensor } from '../inference/types.js';
import type { VoxelwiseStep } from '../transforms/voxelwise.js';

/** values (all channels) the steps are given at once, by default */
const CHUNK_VALUES = 1 << 22;

export async function inferFolded(
  inferer: SlabInferer,
  input: Tensor,
  image: Volume,
  network: Network | Predictor,
  steps: readonly VoxelwiseStep[],
  hooks: InferHooks,
  chunkValues = CHUNK_VALUES,
): Promise<Volume> {
  const spatial = image.shape.slice(1);
  const total = numel(spatial);
  const rowSize = numel(spatial.slice(1));
  let out: TypedArray | undefined;
  let channels = 0;
  let dtype: DType = 'float32';
  let chunk: Float32Array | undefined;
  const result = await inferer.inferSlabs(
    input,
    network,
    (slab) => {
      const k = slab.shape[0]!;
      const slabSize = slab.data.length / k;
      // the steps run on a few rows at a time, so that their own copies (a softmax) stay small too
      const step = Math.max(1, Math.floor(chunkValues / (k * rowSize)));
      for (let r0 = 0; r0 < slab.x1 - slab.x0; r0 += step) {
        const r1 = Math.min(r0 + step, slab.x1 - slab.x0);
        const size = (r1 - r0) * rowSize;
        if (!chunk || chunk.length < k * size) chunk = new Float32Array(k * size);
        for (let c = 0; c < k; c++) chunk.set(slab.data.subarray(c * slabSize + r0 * rowSize, c * slabSize + r1 * rowSize), c * size);
        let data: TypedArray = chunk.subarray(0, k * size);
        let channelsNow = k;
        for (const s of steps) {
          data = s.apply(data, channelsNow, size);
          channelsNow = s.channels(channelsNow);
        }
        if (!out) {
          channels = channelsNow;
          dtype = steps.reduce<DType>((d, s) => s.dtype(d), 'float32');
          out = allocate(dtype, channels * total);
        }
        const at = (slab.x0 + r0) * rowSize;
        for (let c = 0; c < channels; c++) out.set(data.subarray(c * size, (c + 1) * size), c * total + at);
      }
    },
    hooks,
  );
  if (!out) {
    // no slab: an empty output; the steps still decide its channels and dtype
    channels = steps.reduce((k, step) => step.channels(k), result.channels);
    dtype = steps.reduce<DType>((d, step) => step.dtype(d), 'float32');
    out = allocate(dtype, channels * total);
  }
  return {
    data: out,
    dtype,
    shape: [channels, ...spatial],
    affine: cloneMat4(image.affine),
    meta: { ...image.meta },
    appliedOperations: image.appliedOperations.slice(),
  };
}
