/**
 * Tensors and networks as the inferers see them. Data is C order over `dims` (last axis fastest), as ONNX
 * and MONAI use. Only this layer touches onnxruntime, and it loads it lazily (dynamic import) so that
 * commands that never run a network never load it.
 */
export type TensorType = 'float32' | 'int64' | 'int32' | 'bool' | 'uint8' | 'float16';

export interface Tensor {
  type: TensorType;
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;
}

/** A network: named tensors in, named tensors out. One ONNX session, or several composed. */
export interface Network {
  readonly name: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  /**
   * Optional: prepares the network (loads its sessions) so that `inputNames`/`outputNames` are known.
   * Networks that load lazily implement it; `run()` calls it itself.
   */
  load?(): Promise<void>;
  /**
   * Optional, read once loaded: true when a batch is better fed one item at a time (on CPU: same bits, same
   * time, a fraction of the memory; see asPredictor); the inferers then feed their window batches so.
   */
  readonly itemwise?: boolean;
}

/**
 * Where the windows of one batch sit (MONAI's `with_coord` slices): starts in padded space (input index +
 * `pad[axis][0]`), one per window of the batch, in batch order.
 */
export interface WindowBatchInfo {
  starts: number[][];
  roiSize: number[];
  /** per spatial axis `[low, high]` padding of the input */
  pad: [number, number][];
}

/**
 * What an inferer calls per batch of windows: `[b, C, ...roi]` in, `[b, K, ...roi]` out. The sliding-window
 * inferer passes the windows' positions as the second argument; the simple inferer passes none. The sliding
 * window inferer refills the same batch array for the next batch once the returned promise settles, so a
 * predictor must not keep `windowBatch.data` beyond that (returning it as the output is fine).
 */
export type Predictor = (windowBatch: Tensor, windows?: WindowBatchInfo) => Promise<Tensor>;

export interface InferHooks {
  /** called after each batch of windows: windows done so far, total windows */
  onProgress?(done: number, total: number): void;
}

/**
 * An inferer runs a network over a whole input `[1, C, X, Y, Z]` (whole volume, or in windows) and returns
 * the stitched output `[1, K, X, Y, Z]`. `network` is either a single-input/single-output Network or a
 * Predictor that maps one batch of windows to its output (multi-graph networks pass a Predictor).
 */
export interface Inferer {
  infer(input: Tensor, network: Network | Predictor, hooks?: InferHooks): Promise<Tensor>;
}

/** One finished block of an inferer's output along the first spatial axis (see SlabStitcher). */
export interface OutputSlab {
  /** first row along the first spatial axis */
  x0: number;
  /** end row (exclusive) */
  x1: number;
  /** [K, x1 - x0, ...the other spatial axes] */
  shape: number[];
  /** C order over `shape`; the inferer may reuse it once the callback has settled */
  data: Float32Array;
}

/** An inferer that can also hand its output on slab by slab, covering it once in increasing rows. */
export interface SlabInferer extends Inferer {
  inferSlabs(
    input: Tensor,
    network: Network | Predictor,
    onSlab: (slab: OutputSlab) => void | Promise<void>,
    hooks?: InferHooks,
  ): Promise<{ channels: number; spatialShape: number[] }>;
}

export function isSlabInferer(inferer: Inferer): inferer is SlabInferer {
  return typeof (inferer as Partial<SlabInferer>).inferSlabs === 'function';
}
