/**
 * Orientationd: reorient to axis codes ("RAS", "LPS", ...) by flips and transposes chosen with nibabel's
 * io_orientation, as MONAI's Orientation. Exact (no interpolation); the dtype is kept; the affine is
 * updated so that every voxel keeps its world position. The inverse reorients to the axis codes of the
 * recorded input affine.
 */
import { BundleError } from '../../errors/index.js';
import { allClose, multiply } from '../../image/geometry.js';
import {
  affineToAxcodes,
  axcodesToOrnt,
  DEFAULT_LABELS,
  invOrntAffine,
  ioOrientation,
  isIdentityOrnt,
  orntTransform,
  reorientData,
} from '../../image/orientation.js';
import { cloneMat4, withParts, type Mat4, type Volume } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions } from '../MapTransform.js';
import { popOperation, withOperation, type InverseOptions } from '../invertible.js';
import type { Sample } from '../Transform.js';

type Labels = ReadonlyArray<readonly [string, string]>;

/** `volume` reoriented to `axcodes` (or to its closest canonical orientation when axcodes is undefined). */
export function reorientVolume(volume: Volume, axcodes: string | undefined, labels: Labels = DEFAULT_LABELS): Volume {
  const src = ioOrientation(volume.affine);
  // as_closest_canonical: io_orientation itself is the transform that takes the array to RAS order
  return reorientBy(volume, axcodes === undefined ? src : orntTransform(src, axcodesToOrnt(axcodes, labels)));
}

function reorientBy(volume: Volume, ornt: ReturnType<typeof ioOrientation>): Volume {
  const spatial = volume.shape.slice(1);
  const affine = multiply(volume.affine, invOrntAffine(ornt, spatial));
  if (isIdentityOrnt(ornt)) return withParts(volume, { affine });
  const { data, shape } = reorientData(volume.data, volume.shape, ornt);
  return withParts(volume, { data, shape, affine });
}

export interface OrientationdOptions extends MapTransformOptions {
  /** target axis codes; undefined with asClosestCanonical */
  axcodes?: string;
  asClosestCanonical?: boolean;
  labels?: Labels;
}

export class Orientationd extends MapTransform {
  readonly name = 'Orientationd';
  readonly axcodes: string | undefined;
  readonly labels: Labels;

  constructor(options: OrientationdOptions) {
    super(options);
    this.labels = options.labels ?? DEFAULT_LABELS;
    this.axcodes = options.asClosestCanonical ? undefined : options.axcodes;
    if (this.axcodes === undefined && !options.asClosestCanonical) {
      throw new BundleError('invalid_arguments', 'Orientationd needs "axcodes" (e.g. "RAS") or as_closest_canonical=true.', {
        location: { id: this.id, path: '/axcodes' },
      });
    }
    if (this.axcodes !== undefined) {
      if (this.axcodes.length !== 3) {
        throw new BundleError('invalid_arguments', `Orientationd axcodes "${this.axcodes}" must have one code per spatial axis (3).`, {
          hint: 'write three letters such as "RAS" or "LPS"',
          location: { id: this.id, path: '/axcodes' },
        });
      }
      axcodesToOrnt(this.axcodes, this.labels);
    }
  }

  protected override transformVolume(volume: Volume): Volume {
    const out = reorientVolume(volume, this.axcodes, this.labels);
    return withOperation(out, {
      transform: this.name,
      info: { originalAffine: cloneMat4(volume.affine), origSpatialShape: volume.shape.slice(1) },
    });
  }

  inverse(sample: Sample, options: InverseOptions = {}): Sample {
    const out: Sample = { ...sample };
    const keys = options.allowMissingKeys ? this.keys.filter((k) => sample[k] !== undefined) : this.presentKeys(sample);
    for (const key of keys) {
      const { operation, volume } = popOperation(this.volumeAt(sample, key), this.name, key, this.id);
      const originalAffine = operation.info.originalAffine as Mat4;
      const back = reorientVolume(volume, affineToAxcodes(originalAffine, this.labels), this.labels);
      // the recorded affine, when the flips only added float noise to it
      if (allClose(back.affine, originalAffine, 1e-9, 1e-12)) back.affine = cloneMat4(originalAffine);
      out[key] = back;
    }
    return out;
  }
}

interface OrientationdArgs {
  keys: string | string[];
  axcodes?: string | null;
  as_closest_canonical?: boolean;
  labels?: Array<[string, string]> | null;
  allow_missing_keys?: boolean;
}

export const orientationdEntry: ComponentEntry<OrientationdArgs, Orientationd> = {
  name: 'Orientationd',
  aliases: ['monai.transforms.Orientationd', 'monai.transforms.spatial.dictionary.Orientationd', 'OrientationD', 'OrientationDict'],
  description: 'Reorient to axis codes such as "RAS" by exact flips and transposes, as MONAI Orientationd.',
  argsSchema: mapTransformSchema({
    axcodes: { type: ['string', 'null'], description: 'one code per axis from (L|R)(P|A)(I|S), e.g. "RAS"' },
    as_closest_canonical: { type: 'boolean', default: false },
    labels: {
      type: ['array', 'null'],
      items: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 1 }, minItems: 2, maxItems: 2 },
      minItems: 3,
      maxItems: 3,
      description: '(low, high) labels per world axis; default [["L","R"],["P","A"],["I","S"]]',
    },
  }),
  create(args, context) {
    return new Orientationd({
      id: context.id,
      keys: args.keys,
      allowMissingKeys: args.allow_missing_keys,
      axcodes: args.axcodes ?? undefined,
      asClosestCanonical: args.as_closest_canonical,
      labels: args.labels ?? undefined,
    });
  },
};
