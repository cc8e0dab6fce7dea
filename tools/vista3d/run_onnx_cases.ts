/**
 * Runs ONNX graphs on raw tensors for `export_vista3d.py --check` where Python has no onnxruntime (Debian):
 * reads a manifest of cases (graph path, feeds as raw little-endian files with type and dims, output paths),
 * runs each with this repository's onnxruntime-node on the CPU and writes every output as raw float32.
 *
 *     npx tsx tools/vista3d/run_onnx_cases.ts manifest.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

interface Feed {
  name: string;
  type: 'float32' | 'int64' | 'bool';
  dims: number[];
  file: string;
}

interface Case {
  name: string;
  graph: string;
  feeds: Feed[];
  out: string[];
}

function tensorOf(feed: Feed): ort.Tensor {
  const bytes = readFileSync(feed.file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (feed.type === 'float32') return new ort.Tensor('float32', new Float32Array(buffer), feed.dims);
  if (feed.type === 'int64') return new ort.Tensor('int64', new BigInt64Array(buffer), feed.dims);
  return new ort.Tensor('bool', new Uint8Array(buffer), feed.dims);
}

async function main(): Promise<void> {
  const manifestPath = process.argv[2];
  if (!manifestPath) throw new Error('usage: run_onnx_cases.ts manifest.json');
  const cases = JSON.parse(readFileSync(manifestPath, 'utf8')) as Case[];
  const sessions = new Map<string, ort.InferenceSession>();
  for (const c of cases) {
    let session = sessions.get(c.graph);
    if (!session) {
      session = await ort.InferenceSession.create(c.graph, { executionProviders: ['cpu'] });
      sessions.set(c.graph, session);
    }
    const feeds: Record<string, ort.Tensor> = {};
    for (const feed of c.feeds) feeds[feed.name] = tensorOf(feed);
    const results = await session.run(feeds);
    session.outputNames.forEach((name, i) => {
      const data = results[name]!.data as Float32Array;
      if (c.out[i]) writeFileSync(c.out[i]!, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
  }
}

main().catch((error: unknown) => {
  console.error(`run_onnx_cases: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
