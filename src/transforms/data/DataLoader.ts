/**
 * DataLoader (also ThreadDataLoader): iterates a Dataset in order, one sample at a time. Only
 * batch_size 1 without shuffling is supported: bundles run inference item by item. A sample is yielded
 * as is, without a batch axis (MONAI's batch of one followed by decollation in the evaluator).
 * num_workers and the other worker/memory options are accepted and ignored: loading happens in this
 * process, one item ahead of nothing.
 */
import { BundleError } from '../../errors/index.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import type { Sample } from '../Transform.js';
import { Dataset } from './Dataset.js';

export interface DataLoaderOptions {
  dataset: Dataset;
  batchSize?: number;
  shuffle?: boolean;
  id?: string;
}

export class DataLoader implements AsyncIterable<Sample> {
  readonly name = 'DataLoader';
  readonly dataset: Dataset;

  constructor(options: DataLoaderOptions) {
    const { id } = options;
    if (!(options.dataset instanceof Dataset)) {
      throw new BundleError('invalid_arguments', 'DataLoader "dataset" must be a Dataset.', {
        hint: 'refer to a Dataset component, e.g. "dataset": "@dataset"',
        location: { id, path: '/dataset' },
      });
    }
    if ((options.batchSize ?? 1) !== 1) {
      throw new BundleError('invalid_arguments', `DataLoader batch_size must be 1 but is ${options.batchSize}.`, {
        hint: 'set batch_size: 1; items are processed one at a time',
        location: { id, path: '/batch_size' },
      });
    }
    if (options.shuffle) {
      throw new BundleError('invalid_arguments', 'DataLoader shuffle is not supported.', {
        hint: 'set shuffle: false; inference visits the items in order',
        location: { id, path: '/shuffle' },
      });
    }
    this.dataset = options.dataset;
  }

  get length(): number {
    return this.dataset.length;
  }

  [Symbol.asyncIterator](): AsyncIterator<Sample> {
    return this.dataset[Symbol.asyncIterator]();
  }
}

type Args = { dataset: Dataset; batch_size?: number; shuffle?: boolean };

const ignored = (type: string) => ({ type, description: 'accepted and ignored: data is loaded in this process' });

export const dataLoaderEntry: ComponentEntry = {
  name: 'DataLoader',
  aliases: ['ThreadDataLoader', 'monai.data.DataLoader', 'monai.data.ThreadDataLoader', 'torch.utils.data.DataLoader'],
  description: 'Iterates a Dataset in order, one sample at a time (batch_size 1).',
  argsSchema: {
    type: 'object',
    properties: {
      dataset: { description: 'the Dataset to iterate' },
      batch_size: { type: 'integer', const: 1, default: 1, description: 'only 1 is supported' },
      shuffle: { type: 'boolean', const: false, default: false, description: 'only false is supported' },
      num_workers: ignored('integer'),
      pin_memory: ignored('boolean'),
      persistent_workers: ignored('boolean'),
      prefetch_factor: { oneOf: [{ type: 'integer' }, { type: 'null' }], description: 'accepted and ignored' },
      drop_last: ignored('boolean'),
      buffer_size: ignored('integer'),
      buffer_timeout: ignored('number'),
      repeats: { type: 'integer', const: 1, default: 1, description: 'ThreadDataLoader repeats; only 1 is supported' },
      use_thread_workers: ignored('boolean'),
    },
    required: ['dataset'],
    additionalProperties: false,
  },
  create: (args: Args, context) =>
    new DataLoader({ dataset: args.dataset, batchSize: args.batch_size, shuffle: args.shuffle, id: context.id }),
};
