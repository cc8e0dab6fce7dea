/**
 * The default registry: every layer's entries. The builtins are here from the start; each layer's
 * `entries.ts` list is added as the layer lands.
 */
import { builtinEntries } from '../registry/builtins.js';
import { Registry } from '../registry/Registry.js';

export function defaultRegistry(): Registry {
  return new Registry([...builtinEntries]);
}
