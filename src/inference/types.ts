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
}

/** What an inferer calls per batch of windows: `[b, C, ...roi]` in, `[b, K, ...roi]` out. */
export type Predictor = (windowBatch: Tensor) => Promise<Tensor>;

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
