/**
 * MONAI's SimpleInferer: the network runs once on the whole input `[1, C, ...spatial]`.
 */
import type { ComponentEntry } from '../registry/ComponentEntry.js';
import { asPredictor } from './predictor.js';
import type { InferHooks, Inferer, Network, Predictor, Tensor } from './types.js';

export class SimpleInferer implements Inferer {
  async infer(input: Tensor, network: Network | Predictor, hooks: InferHooks = {}): Promise<Tensor> {
    const output = await asPredictor(network)(input);
    hooks.onProgress?.(1, 1);
    return output;
  }
}

export const simpleInfererEntry: ComponentEntry<Record<string, never>, SimpleInferer> = {
  name: 'SimpleInferer',
  aliases: ['monai.inferers.SimpleInferer'],
  description: 'Runs the network once on the whole input',
  argsSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: () => new SimpleInferer(),
};
