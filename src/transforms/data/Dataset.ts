/**
 * Dataset: a list of data items (dicts such as `{"image": "ct.nii.gz"}`) and the transform that turns
 * one item into a sample (usually a Compose of the preprocessing). Items are transformed on demand, one
 * at a time, so only one sample is in memory at once.
 */
import { BundleError } from '../../errors/index.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { isTransform, type Sample, type Transform } from '../Transform.js';

export interface DatasetOptions {
  data: readonly Sample[];
  /** applied to a shallow copy of each item; none = the items as they are */
  transform?: Transform | null;
  id?: string;
}

export class Dataset implements AsyncIterable<Sample> {
  readonly name = 'Dataset';
  readonly data: readonly Sample[];
  readonly transform: Transform | null;
  readonly id: string | undefined;

  constructor(options: DatasetOptions) {
    this.id = options.id;
    if (!Array.isArray(options.data)) {
      throw new BundleError('invalid_arguments', `Dataset "data" must be a list of data items but is ${describe(options.data)}.`, {
        hint: 'wrap a single item in a list: "data": "$[@input_dict]"',
        location: { id: options.id, path: '/data' },
      });
    }
    const bad = options.data.findIndex((item) => typeof item !== 'object' || item === null || Array.isArray(item));
    if (bad >= 0) {
      throw new BundleError('invalid_arguments', `Dataset item ${bad} must be a dict such as {"image": "ct.nii.gz"} but is ${describe(options.data[bad])}.`, {
        hint: 'each data item is a dict from keys (image, label, ...) to values',
        location: { id: options.id, path: `/data/${bad}` },
      });
    }
    if (options.transform != null && !isTransform(options.transform)) {
      throw new BundleError('invalid_arguments', 'Dataset "transform" must be a transform (e.g. a Compose) or null.', {
        location: { id: options.id, path: '/transform' },
      });
    }
    this.data = options.data;
    this.transform = options.transform ?? null;
  }

  get length(): number {
    return this.data.length;
  }

  /** The transformed sample of item `index`. */
  async get(index: number): Promise<Sample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.data.length) {
      throw new BundleError('invalid_arguments', `Dataset index ${index} is out of range: the dataset has ${this.data.length} items.`, {
        hint: `use an index from 0 to ${this.data.length - 1}`,
        location: { id: this.id },
      });
    }
    const item: Sample = { ...this.data[index]! };
    return this.transform ? await this.transform.apply(item) : item;
  }

  /** The transformed samples in order, one at a time (MONAI's Dataset is iterable too). */
  async *[Symbol.asyncIterator](): AsyncIterator<Sample> {
    for (let i = 0; i < this.data.length; i++) yield await this.get(i);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string "${value.slice(0, 60)}"`;
  return `a ${typeof value}`;
}

export const datasetEntry: ComponentEntry = {
  name: 'Dataset',
  aliases: ['monai.data.Dataset'],
  description: 'A list of data items and the transform applied to each when it is read.',
  argsSchema: {
    type: 'object',
    properties: {
      data: { type: 'array', items: { type: 'object' }, description: 'the data items, e.g. [{"image": "ct.nii.gz"}]' },
      transform: { description: 'a transform (usually a Compose) or null' },
    },
    required: ['data'],
    additionalProperties: false,
  },
  create: (args: { data: Sample[]; transform?: Transform | null }, context) =>
    new Dataset({ data: args.data, transform: args.transform, id: context.id }),
};
