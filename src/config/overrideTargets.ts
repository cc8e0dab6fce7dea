/**
 * An override (CLI `--id value`, or a key of an args file) must name an id some config file defines, so that a
 * typo (`--output_dri`) is an error with the closest ids instead of a new id nobody reads. Two ways to add:
 * a key of an existing component (its arguments are checked against the component's schema anyway), and
 * an id written with the `new:` marker (`--new:my_threshold 0.5`), which says the id is meant to be new.
 */
import { BundleError, type Origin } from '../errors/index.js';
import { closestNames } from '../util/closest.js';
import { allIds, formatId, lookup, parseId } from './ids.js';
import { isComponent, isPlainObject, MERGE_PREFIX } from './sigils.js';

export const NEW_ID_MARKER = 'new:';

/** The override's id without the `new:` marker, and whether it had one; `+` (merge) stays in front. */
export function splitNewIdMarker(id: string): { id: string; isNew: boolean } {
  const merge = id.startsWith(MERGE_PREFIX) ? MERGE_PREFIX : '';
  const rest = id.slice(merge.length);
  return rest.startsWith(NEW_ID_MARKER) ? { id: merge + rest.slice(NEW_ID_MARKER.length), isNew: true } : { id, isNew: false };
}

/** Throws `invalid_override` when `id` would create a key of a plain dict (or of the root) that no file defines. */
export function checkOverrideTarget(root: unknown, id: string, origin: Origin): void {
  const path = parseId(id.startsWith(MERGE_PREFIX) ? id.slice(MERGE_PREFIX.length) : id);
  if (path.length === 0 || lookup(root, path).found) return;
  const parent = lookup(root, path.slice(0, -1));
  // a missing parent or one that is no dict: applyKey reports it (id_not_found, not_a_container)
  if (!parent.found || !isPlainObject(parent.value) || isComponent(parent.value)) return;
  const written = formatId(path);
  const flag = origin.source === 'cli' ? `--${NEW_ID_MARKER}${written}` : `"${NEW_ID_MARKER}${written}"`;
  throw new BundleError('invalid_override', `The override ${origin.source === 'cli' ? `--${written}` : `"${written}"`} names an id that no config file defines.`, {
    location: { id: written, origin },
    candidates: closestNames(written, allIds(root)),
    hint: `check the spelling; to add a new id on purpose, write ${flag}`,
  });
}
