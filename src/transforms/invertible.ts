/**
 * The applied-operation trace that makes a transform chain invertible: invertible transforms push one
 * record per volume they change and their `inverse` pops it again (MONAI's `applied_operations`).
 */
import { BundleError } from '../errors/index.js';
import type { AppliedOperation, Volume } from '../image/Volume.js';
import type { MapTransform } from './MapTransform.js';
import type { Sample, Transform } from './Transform.js';

export interface InverseOptions {
  /** skip keys the sample lacks (MONAI's `allow_missing_keys_mode`, used by Invertd) */
  allowMissingKeys?: boolean;
}

/** A transform that can undo itself; `inverse` accepts the options Compose and Invertd pass down. */
export interface InvertibleTransform extends Transform {
  inverse(sample: Sample, options?: InverseOptions): Sample | Promise<Sample>;
}

export function isInvertible(t: Transform): t is InvertibleTransform {
  return typeof t.inverse === 'function';
}

/** `volume` with `operation` appended to its trace (a new volume; the input is not changed). */
export function withOperation(volume: Volume, operation: AppliedOperation): Volume {
  return { ...volume, appliedOperations: [...volume.appliedOperations, operation] };
}

/**
 * The most recent operation of `volume`, which must have been recorded by `transform`, and the volume
 * without it. Anything else means the chain is being inverted out of order: a `not_invertible` error.
 */
export function popOperation(volume: Volume, transform: string, key: string, id?: string): { operation: AppliedOperation; volume: Volume } {
  const ops = volume.appliedOperations;
  const last = ops[ops.length - 1];
  if (!last || last.transform !== transform) {
    const trace = ops.map((o) => o.transform).join(' -> ') || 'nothing';
    throw new BundleError(
      'not_invertible',
      `${transform} cannot invert "${key}": its most recent recorded operation is ${last ? last.transform : 'none'} (trace: ${trace}).`,
      {
        hint: 'invert with the same transforms, in the same order, that were applied to the original item (Invertd orig_keys)',
        location: { id, path: key },
      },
    );
  }
  return { operation: last, volume: { ...volume, appliedOperations: ops.slice(0, -1) } };
}

/**
 * The common inverse of a dictionary transform: for each of its keys (absent ones skipped with
 * allowMissingKeys), pop its record and replace the volume with `undo(info, volume)`.
 */
export function invertKeys<Info>(transform: MapTransform, sample: Sample, options: InverseOptions, undo: (info: Info, volume: Volume) => Volume): Sample {
  const out: Sample = { ...sample };
  const keys = options.allowMissingKeys ? transform.keys.filter((k) => sample[k] !== undefined) : transform.presentKeys(sample);
  for (const key of keys) {
    const { operation, volume } = popOperation(transform.volumeAt(sample, key), transform.name, key, transform.id);
    out[key] = undo(operation.info as Info, volume);
  }
  return out;
}
