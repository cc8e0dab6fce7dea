/**
 * The default registry: every layer's entries. Importing this module loads every layer (about 150 modules);
 * the config commands start from `builtinRegistry()` in ./lazyRegistry.ts instead and add these entries
 * only when a config needs them.
 */
import { vista3dEntries } from '../apps/vista3d/entries.js';
import { engineEntries } from '../engine/entries.js';
import { inferenceEntries } from '../inference/entries.js';
import type { ComponentEntry } from '../registry/ComponentEntry.js';
import { builtinEntries } from '../registry/builtins.js';
import { Registry } from '../registry/Registry.js';
import { transformEntries } from '../transforms/entries.js';

/** Every entry above the builtins, in registration order. */
export function layerEntries(): ComponentEntry[] {
  return [...transformEntries, ...inferenceEntries, ...engineEntries, ...vista3dEntries];
}

export function defaultRegistry(): Registry {
  return new Registry([...builtinEntries, ...layerEntries()]);
}
