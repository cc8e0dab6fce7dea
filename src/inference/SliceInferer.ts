/**
 * MONAI's SliceInferer: a 2-D network over a 3-D volume, slice by slice along `spatial_dim` (0, 1 or 2 of
 * [X, Y, Z]). As MONAI, it is the sliding-window inferer with the 2-D roi_size given a 1 inserted at
 * spatial_dim, and a network wrapper that drops that size-1 axis before the network and puts it back after
 * (in C order this only changes the dims, not the data). sw_batch_size windows (slices, or 2-D windows of
 * slices) go to the network at a time; overlap, mode, sigma_scale, padding_mode and cval are the
 * sliding-window inferer's, applied to the 3-D window grid (along spatial_dim the windows are single slices).
 */
import { BundleError } from '../errors/index.js';
import { asPredictor } from './predictor.js';
import { SlidingWindowInferer, type SlidingWindowOptions } from './SlidingWindowInferer.js';
import type { InferHooks, Inferer, Network, Predictor, Tensor } from './types.js';

export interface SliceInfererOptions extends SlidingWindowOptions {
  spatialDim?: number;
}

export class SliceInferer implements Inferer {
  readonly spatialDim: number;
  readonly roiSize: readonly number[];
  private readonly inner: SlidingWindowInferer;

  constructor(options: SliceInfererOptions) {
    this.spatialDim = options.spatialDim ?? 0;
    if (![0, 1, 2].includes(this.spatialDim)) {
      throw new BundleError('invalid_arguments', `SliceInferer spatial_dim must be 0, 1 or 2 (X, Y or Z), got ${this.spatialDim}.`, {
        location: { path: '/spatial_dim' },
      });
    }
    const roi = typeof options.roiSize === 'number' ? [options.roiSize, options.roiSize] : [...options.roiSize];
    if (roi.length !== 2) {
      throw new BundleError('invalid_arguments', `SliceInferer roi_size must be 2-D (the network's slice size), got ${JSON.stringify(options.roiSize)}.`, {
        hint: 'give the 2-D window, e.g. "roi_size": [256, 256]; spatial_dim says which axis the slices are taken along',
        location: { path: '/roi_size' },
      });
    }
    this.roiSize = roi;
    const roi3 = roi.slice();
    roi3.splice(this.spatialDim, 0, 1);
    this.inner = new SlidingWindowInferer({ ...options, roiSize: roi3 });
  }

  async infer(input: Tensor, network: Network | Predictor, hooks: InferHooks = {}): Promise<Tensor> {
    if (input.dims.length !== 5) {
      throw new BundleError('shape_mismatch', `SliceInferer needs a 3-D input [1, C, X, Y, Z], got [${input.dims.join(', ')}].`, {
        hint: 'SliceInferer runs a 2-D network over the slices of a volume; use SimpleInferer or SlidingWindowInferer for 2-D images',
      });
    }
    const predictor = asPredictor(network);
    const axis = this.spatialDim + 2;
    const slices: Predictor = async (batch, windows) => {
      const dims2d = batch.dims.filter((_, i) => i !== axis);
      const out = await predictor({ ...batch, dims: dims2d }, windows);
      const dims = out.dims.slice();
      dims.splice(axis, 0, 1);
      return { ...out, dims };
    };
    return this.inner.infer(input, slices, hooks);
  }
}
