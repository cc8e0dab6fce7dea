/**
 * DataLoader (also ThreadDataLoader): iterates a Dataset in order. With batch_size B it loads B items,
 * checks that MONAI's list_data_collate could stack them (collate.ts: same keys, same volume shapes; an
 * error otherwise, as in MONAI) and yields them one by one: MONAI's evaluator decollates every batch
 * before post-processing, and inference does not depend on which items share a batch, so the outputs are
 * MONAI's. Samples carry no batch axis. drop_last drops a last, smaller batch as MONAI does. Shuffling is
 * not supported (inference visits items in order). num_workers and the other worker/memory options are
 * accepted and ignored: loading happens in this process.
 */
import { BundleError } from '../../errors/index.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import type { Sample } from '../Transform.js';
import { checkCollatable } from './collate.js';
import { Dataset } from './Dataset.js';

export interface DataLoaderOptions {
  dataset: Dataset;
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  id?: string;
}

export class DataLoader implements AsyncIterable<Sample> {
  readonly name = 'DataLoader';
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly dropLast: boolean;
  readonly id: string | undefined;

  constructor(options: DataLoaderOptions) {
    const { id } = options;
    if (!(options.dataset instanceof Dataset)) {
      throw new BundleError('invalid_arguments', 'DataLoader "dataset" must be a Dataset.', {
        hint: 'refer to a Dataset component, e.g. "dataset": "@dataset"',
        location: { id, path: '/dataset' },
      });
    }
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new BundleError('invalid_arguments', `DataLoader batch_size must be a positive integer but is ${options.batchSize}.`, {
        location: { id, path: '/batch_size' },
      });
    }
    this.dropLast = options.dropLast ?? false;
    this.id = id;
    if (options.shuffle) {
      throw new BundleError('invalid_arguments', 'DataLoader shuffle is not supported.', {
        hint: 'set shuffle: false; inference visits the items in order',
        location: { id, path: '/shuffle' },
      });
    }
    this.dataset = options.dataset;
  }

  /** items given (MONAI's len() counts batches; the evaluator counts items) */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? n - (n % this.batchSize) : n;
  }

  [Symbol.asyncIterator](): AsyncIterator<Sample> {
    return this.batchSize === 1 ? this.dataset[Symbol.asyncIterator]() : this.decollated();
  }

  private async *decollated(): AsyncGenerator<Sample> {
    let batch: Sample[] = [];
    let first = 0;
    for await (const sample of this.dataset) {
      batch.push(sample);
      if (batch.length < this.batchSize) continue;
      checkCollatable(batch, first, this.id);
      yield* batch;
      first += batch.length;
      batch = [];
    }
    if (batch.length === 0 || this.dropLast) return;
    checkCollatable(batch, first, this.id);
    yield* batch;
  }
}

type Args = { dataset: Dataset; batch_size?: number; shuffle?: boolean; drop_last?: boolean };

const ignored = (type: string) => ({ type, description: 'accepted and ignored: data is loaded in this process' });

export const dataLoaderEntry: ComponentEntry = {
  name: 'DataLoader',
  aliases: ['ThreadDataLoader', 'monai.data.DataLoader', 'monai.data.ThreadDataLoader', 'torch.utils.data.DataLoader'],
  description: 'Iterates a Dataset in order; batch_size items are checked for collation (list_data_collate) and handed on one by one (decollated), as MONAI.',
  argsSchema: {
    type: 'object',
    properties: {
      dataset: { description: 'the Dataset to iterate' },
      batch_size: { type: 'integer', minimum: 1, default: 1, description: 'items per batch: they must collate (same keys and image shapes); results are per item' },
      shuffle: { type: 'boolean', const: false, default: false, description: 'only false is supported' },
      num_workers: ignored('integer'),
      pin_memory: ignored('boolean'),
      persistent_workers: ignored('boolean'),
      prefetch_factor: { oneOf: [{ type: 'integer' }, { type: 'null' }], description: 'accepted and ignored' },
      drop_last: { type: 'boolean', default: false, description: 'drop a last, smaller batch' },
      buffer_size: ignored('integer'),
      buffer_timeout: ignored('number'),
      repeats: { type: 'integer', const: 1, default: 1, description: 'ThreadDataLoader repeats; only 1 is supported' },
      use_thread_workers: ignored('boolean'),
    },
    required: ['dataset'],
    additionalProperties: false,
  },
  create: (args: Args, context) =>
    new DataLoader({ dataset: args.dataset, batchSize: args.batch_size, shuffle: args.shuffle, dropLast: args.drop_last, id: context.id }),
};
