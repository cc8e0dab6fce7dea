/**
 * The inferer with post-processing's leading voxel-wise steps folded in (transforms/voxelwise.ts): each slab
 * of the output goes through the steps as soon as the inferer finishes it, and only the steps' result is
 * kept. A 105-class softmax + argmax (wholeBody) then holds one channel of the whole volume instead of the
 * 105-channel output and its softmax copy: the same values, since every step is voxel-wise. The inferer's
 * slabs are small (SlidingWindowOptions.maxSlabValues), so the steps' own copies (a softmax) are too.
 */
import { allocate, cloneMat4, type DType, numel, type TypedArray, type Volume } from '../image/Volume.js';
import type { InferHooks, Network, Predictor, SlabInferer, Tensor } from '../inference/types.js';
import type { VoxelwiseStep } from '../transforms/voxelwise.js';

export async function inferFolded(
  inferer: SlabInferer,
  input: Tensor,
  image: Volume,
  network: Network | Predictor,
  steps: readonly VoxelwiseStep[],
  hooks: InferHooks,
): Promise<Volume> {
  const spatial = image.shape.slice(1);
  const total = numel(spatial);
  const rowSize = numel(spatial.slice(1));
  let out: TypedArray | undefined;
  let channels = 0;
  let dtype: DType = 'float32';
  const result = await inferer.inferSlabs(
    input,
    network,
    (slab) => {
      let data: TypedArray = slab.data;
      let k = slab.shape[0]!;
      const size = data.length / k;
      for (const step of steps) {
        data = step.apply(data, k, size);
        k = step.channels(k);
      }
      if (!out) {
        channels = k;
        dtype = steps.reduce<DType>((d, step) => step.dtype(d), 'float32');
        out = allocate(dtype, channels * total);
      }
      for (let c = 0; c < channels; c++) out.set(data.subarray(c * size, (c + 1) * size), c * total + slab.x0 * rowSize);
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
