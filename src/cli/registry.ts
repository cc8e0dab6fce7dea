/**
 * The default registry: every layer's entries. The builtins are here from the start; each layer's
 * `entries.ts` list is added as the layer lands.
 */
import { vista3dEntries } from '../apps/vista3d/entries.js';
import { engineEntries } from '../engine/entries.js';
import { inferenceEntries } from '../inference/entries.js';
import { builtinEntries } from '../registry/builtins.js';
import { Registry } from '../registry/Registry.js';
import { transformEntries } from '../transforms/entries.js';

export function defaultRegistry(): Registry {
  return new Registry([...builtinEntries, ...transformEntries, ...inferenceEntries, ...engineEntries, ...vista3dEntries]);
}
