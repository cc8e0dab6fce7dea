/**
 * The inferers accept a Network (one input, one output: MONAI's `network(x)`) or a Predictor function; this
 * turns the first into the second and checks what comes back.
 */
import { BundleError } from '../errors/index.js';
import type { Network, Predictor, Tensor } from './types.js';

export function isNetwork(value: unknown): value is Network {
  return typeof value === 'object' && value !== null && typeof (value as Network).run === 'function';
}

/** A predictor feeding the network's first input and returning its first output. */
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
    const outputs = await network.run({ [inputName]: batch });
    const output = outputs[outputName];
    if (output === undefined) {
      throw new BundleError('model_error', `Network "${network.name}" returned no output "${outputName}".`, {
        hint: 'check output_names in the network component',
      });
    }
    return output;
  };
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
