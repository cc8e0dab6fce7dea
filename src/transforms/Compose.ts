/**
 * Compose: a chain of transforms applied in order; its inverse visits the invertible ones in reverse
 * order, each popping the operation it recorded (MONAI's Compose.inverse). Invertd inverts a prediction
 * through a Compose with `invertThrough`.
 */
import { BundleError } from '../errors/index.js';
import type { ComponentEntry } from '../registry/ComponentEntry.js';
import { isInvertible, type InverseOptions } from './invertible.js';
import { isTransform, type Sample, type Transform } from './Transform.js';

export class Compose implements Transform {
  readonly name = 'Compose';
  readonly transforms: Transform[];
  /** MONAI's `map_items`: a list of samples is transformed item by item */
  readonly mapItems: boolean;

  constructor(transforms: readonly Transform[], options: { mapItems?: boolean } = {}) {
    this.transforms = [...transforms];
    this.mapItems = options.mapItems ?? true;
  }

  async apply(sample: Sample): Promise<Sample> {
    if (this.mapItems && Array.isArray(sample)) return (await Promise.all(sample.map((s: Sample) => this.apply(s)))) as unknown as Sample;
    let current = sample;
    for (const t of this.transforms) current = await t.apply(current);
    return current;
  }

  async inverse(sample: Sample, options: InverseOptions = {}): Promise<Sample> {
    let current = sample;
    for (const t of [...this.transforms].reverse()) if (isInvertible(t)) current = await t.inverse(current, options);
    return current;
  }
}

/** Undoes `transform` (a Compose or one invertible transform) on `sample`, skipping keys it lacks. */
export async function invertThrough(transform: Transform, sample: Sample, options: InverseOptions = { allowMissingKeys: true }): Promise<Sample> {
  if (!isInvertible(transform)) {
    throw new BundleError('not_invertible', `${transform.name} has no inverse.`, {
      hint: 'give Invertd the Compose (or invertible transform) that produced the original item',
    });
  }
  return transform.inverse(sample, options);
}

interface ComposeArgs {
  transforms?: Transform | Transform[] | null;
  map_items?: boolean;
  unpack_items?: boolean;
  log_stats?: boolean | string;
  lazy?: boolean | null;
}

export const composeEntry: ComponentEntry<ComposeArgs, Compose> = {
  name: 'Compose',
  aliases: ['monai.transforms.Compose', 'monai.transforms.compose.Compose'],
  description: 'Apply transforms in order (inverse: invertible ones in reverse order), as MONAI Compose.',
  argsSchema: {
    type: 'object',
    properties: {
      transforms: { description: 'the transforms, in order', oneOf: [{ type: 'array' }, { type: 'object' }, { type: 'null' }] },
      map_items: { type: 'boolean', default: true, description: 'transform each item of a list of samples' },
      unpack_items: { type: 'boolean', enum: [false], default: false, description: 'only false is supported' },
      log_stats: { type: ['boolean', 'string'], default: false, description: 'accepted for compatibility; no effect' },
      lazy: { type: ['boolean', 'null'], enum: [false, null], default: false, description: 'only eager execution is supported' },
    },
    additionalProperties: false,
  },
  create(args, context) {
    const list = args.transforms == null ? [] : Array.isArray(args.transforms) ? args.transforms : [args.transforms];
    list.forEach((t, i) => {
      if (!isTransform(t)) {
        throw new BundleError('invalid_arguments', `Compose transforms[${i}] is not a transform.`, {
          hint: 'each item of "transforms" must be a component with "_target_" naming a transform, e.g. {"_target_": "Spacingd", ...}',
          location: { id: context.id, path: `/transforms/${i}` },
        });
      }
    });
    return new Compose(list, { mapItems: args.map_items });
  },
};
