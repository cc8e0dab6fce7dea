/** Runs ONNX model bytes once in onnxruntime-node (loaded lazily, as the product does). */
import { loadOrt } from '../../../src/inference/OnnxSession.js';
import type { Tensor } from '../../../src/inference/types.js';

export async function runModel(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  // the product's loader, so onnxruntime's native log level is the product's whichever test loads it first
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes);
  try {
    const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const results = await session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(results)) {
      out[name] = { type: t.type as Tensor['type'], dims: [...t.dims], data: t.data as Tensor['data'] };
    }
    return out;
  } finally {
    await session.release();
  }
}
