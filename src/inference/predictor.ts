/**
 * The inferers accept a Network (one input, one output: MONAI's `network(x)`) or a Predictor function; this
 * turns the first into the second and checks what comes back.
 */
import { BundleError } from '../errors/index.js';
import type { Network, Predictor, Tensor } from './types.js';

export function isNetwork(value: unknown): value is Network {
  return typeof value === 'object' && value !== null && typeof (value as Network).run === 'function';
}

/**
 * A predictor feeding the network's first input and returning its first output. A network that says it is
 * `itemwise` (OnnxNetwork on the CPU provider) gets a batch of windows one window at a time: `sw_batch_size`
 * is a GPU throughput setting; on CPU onnxruntime gives the same bits per window and takes the same time,
 * while a batch of b windows makes its memory arena hold b windows' activations (full-size pediatric DynUNet,
 * 4 windows of 96³: 2.65 GB peak RSS as a batch, 1.67 GB one by one, 61 s either way).
 */
export function asPredictor(network: Network | Predictor): Predictor {
  if (typeof network === 'function') return network;
  if (!isNetwork(network)) {
    throw new BundleError('invalid_arguments', 'The inferer was given something that is neither a network nor a predictor function.', {
      hint: 'pass the network component (e.g. "@network") to the inferer',
    });
  }
  let ready: Promise<void> | undefined;
  return async (batch: Tensor) => {
    ready ??= network.load ? network.load() : Promise.resolve();
    await ready;
    const [inputName] = network.inputNames;
    const [outputName] = network.outputNames;
    if (inputName === undefined || outputName === undefined) {
      throw new BundleError('model_error', `Network "${network.name}" has no ${inputName === undefined ? 'input' : 'output'}.`);
    }
    const runOne = async (item: Tensor): Promise<Tensor> => {
      const output = (await network.run({ [inputName]: item }))[outputName];
      if (output === undefined) {
        throw new BundleError('model_error', `Network "${network.name}" returned no output "${outputName}".`, {
          hint: 'check output_names in the network component',
        });
      }
      return output;
    };
    const items = batch.dims[0] ?? 1;
    if (!network.itemwise || items <= 1) return runOne(batch);
    return runItems(network.name, batch, items, runOne);
  };
}

/** Runs `batch` item by item and stacks the outputs along dim 0 (each output is copied in as soon as it comes). */
async function runItems(name: string, batch: Tensor, items: number, runOne: (item: Tensor) => Promise<Tensor>): Promise<Tensor> {
  const itemSize = batch.data.length / items;
  const dims = [1, ...batch.dims.slice(1)];
  let stacked: Tensor | undefined;
  for (let i = 0; i < items; i++) {
    const data = batch.data.subarray(i * itemSize, (i + 1) * itemSize) as Tensor['data'];
    const out = await runOne({ type: batch.type, dims, data });
    if (out?.dims?.[0] !== 1) {
      throw new BundleError('shape_mismatch', `Network "${name}" returned shape [${out?.dims?.join(', ')}] for one window; expected a batch of 1.`, {
        hint: 'the network must keep the batch size of its input',
      });
    }
    const outSize = out.data.length;
    stacked ??= { type: out.type, dims: [items, ...out.dims.slice(1)], data: new (out.data.constructor as new (n: number) => Tensor['data'])(items * outSize) };
    if (out.type !== stacked.type || out.data.length * items !== stacked.data.length) {
      throw new BundleError('shape_mismatch', `Network "${name}" returned shape [${out.dims.join(', ')}] ${out.type} for window ${i + 1} of a batch but [1, ${stacked.dims.slice(1).join(', ')}] ${stacked.type} for the first.`);
    }
    (stacked.data as Float32Array).set(out.data as Float32Array, i * outSize);
  }
  return stacked!;
}

/** Checks a predictor's output `[b, K, ...roi]` against the batch it was given; returns K. */
export function checkPredictorOutput(output: Tensor, batch: number, spatial: readonly number[], what: string): number {
  const expected = `[${batch}, K, ${spatial.join(', ')}]`;
  const dims = output?.dims;
  if (!Array.isArray(dims) || dims.length !== spatial.length + 2 || dims[0] !== batch || spatial.some((s, i) => dims[i + 2] !== s)) {
    throw new BundleError('shape_mismatch', `The network returned shape [${dims?.join(', ')}] for ${what}; expected ${expected}.`, {
      hint: 'the network must keep the spatial size of its input (same-padded convolutions) and the batch size',
    });
  }
  if (!(output.data instanceof Float32Array)) {
    throw new BundleError('shape_mismatch', `The network returned ${output.type} values for ${what}; the inferers blend float32.`, {
      hint: 'export the network with a float32 output',
    });
  }
  return dims[1];
}
