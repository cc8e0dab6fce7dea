/** The inference layer's public API (onnxruntime itself is loaded only when a network first runs). */
export * from './types.js';
export { OnnxNetwork, modelFileFor, type OnnxNetworkOptions, type NameMapping } from './OnnxNetwork.js';
export {
  getSession,
  loadOrt,
  providerList,
  EXECUTION_PROVIDERS,
  GRAPH_OPTIMIZATION_LEVELS,
  type ExecutionProvider,
  type GraphOptimizationLevel,
  type LoadedSession,
  type SessionOptions,
  type ValueInfo,
} from './OnnxSession.js';
export { SimpleInferer } from './SimpleInferer.js';
export { SlidingWindowInferer, bufferRows, type SlidingWindowOptions, type SlabResult } from './SlidingWindowInferer.js';
export { SlabStitcher, type Slab, type StitchGeometry } from './SlabStitcher.js';
export { asPredictor, isNetwork } from './predictor.js';
export * from './windows.js';
export { copyWindow, stridesOf, checkPaddingMode, type PaddingMode, type WindowSource } from './windowInput.js';
export { float16ToFloat32, float32ToFloat16 } from './float16.js';
export { inferenceEntries, onnxNetworkEntry, sliceInfererEntry, slidingWindowInfererEntry } from './entries.js';
export { SliceInferer, type SliceInfererOptions } from './SliceInferer.js';
export { simpleInfererEntry } from './SimpleInferer.js';
