/** Small hand-made components for engine tests: volumes, a doubling network, a recording inferer. */
import { identity4, type Volume } from '../../src/image/Volume.js';
import type { Inferer, InferHooks, Network, Predictor, Tensor } from '../../src/inference/types.js';
import type { Sample, Transform } from '../../src/transforms/Transform.js';

export function volume(values: number[], spatialShape: number[], filename?: string): Volume {
  const affine = identity4();
  affine[0]![0] = 2;
  affine[0]![3] = -10;
  return {
    data: Float32Array.from(values),
    dtype: 'float32',
    shape: [1, ...spatialShape],
    affine,
    meta: { originalAffine: affine, originalSpatialShape: spatialShape, ...(filename ? { filename } : {}) },
    appliedOperations: [{ transform: 'Spacingd', info: { note: 'recorded' } }],
  };
}

/** A network that doubles its input. */
export const doubler: Network = {
  name: 'doubler',
  inputNames: ['input'],
  outputNames: ['output'],
  async run(feeds) {
    const x = feeds.input!;
    return { output: { type: 'float32', dims: x.dims, data: Float32Array.from(x.data as Float32Array, (v) => v * 2) } };
  },
};

/** Calls the network once on the whole input and reports `windows` fake progress steps. */
export class WholeInferer implements Inferer {
  constructor(private readonly windows = 2) {}
  async infer(input: Tensor, network: Network | Predictor, hooks?: InferHooks): Promise<Tensor> {
    for (let i = 1; i <= this.windows; i++) hooks?.onProgress?.(i, this.windows);
    if (typeof network === 'function') return network(input);
    const out = await network.run({ [network.inputNames[0]!]: input });
    return out[network.outputNames[0]!]!;
  }
}

export function transform(name: string, fn: (s: Sample) => Sample | Promise<Sample>): Transform {
  return { name, apply: fn };
}

/** A config's has/raw over a plain object, ids joined by "::". */
export function rawConfig(raw: Record<string, unknown>) {
  const get = (id: string): unknown => id.split('::').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], raw);
  return { has: (id: string) => get(id) !== undefined, raw: get, ids: () => Object.keys(raw) };
}
