// Runs an ONNX file on one float32 input through this project's OnnxNetwork (dist/ must be built), for
// export_network.py's onnx-vs-torch check: <dir>/input.f32 + input.json {dims} -> output.f32 + output.json.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [model, dir] = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { OnnxNetwork } = await import(path.join(root, 'dist', 'inference', 'OnnxNetwork.js'));
const { dims } = JSON.parse(readFileSync(path.join(dir, 'input.json'), 'utf8'));
const bytes = readFileSync(path.join(dir, 'input.f32'));
const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const network = new OnnxNetwork({ path: path.resolve(model) });
const out = await network.run({ [await firstInput(network)]: { type: 'float32', dims, data } });
const tensor = Object.values(out)[0];
writeFileSync(path.join(dir, 'output.f32'), Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
writeFileSync(path.join(dir, 'output.json'), JSON.stringify({ dims: tensor.dims }));

async function firstInput(net) {
  await net.load();
  return net.inputNames[0];
}
