/**
 * Start-up cost: importing every layer's entries (./registry.ts) costs about as much CPU as the rest of
 * `bundle resolve` on a small config, and a config whose components are all builtins (`dict`) never uses
 * them. So the config commands start from the builtins and add every layer's entries once the loaded
 * config shows a `_target_` that is not literally a builtin name. A reference or expression target may
 * yield any name, and an unknown name needs every name for its suggestions, so both count as "not a
 * builtin": the registry a config sees is then exactly the default registry.
 */
import type { BundleConfig } from '../config/index.js';
import { isPlainObject, TARGET_KEY } from '../config/sigils.js';
import { builtinEntries } from '../registry/builtins.js';
import { Registry } from '../registry/Registry.js';

export function builtinRegistry(): Registry {
  return new Registry(builtinEntries);
}

/** Whether every `_target_` in a raw config tree is a name `registry` already has. */
export function targetsAllRegistered(raw: unknown, registry: Registry): boolean {
  const stack: unknown[] = [raw];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...value);
    } else if (isPlainObject(value)) {
      if (Object.hasOwn(value, TARGET_KEY)) {
        const target = value[TARGET_KEY];
        if (typeof target !== 'string' || !registry.has(target)) return false;
      }
      stack.push(...Object.values(value));
    }
  }
  return true;
}

/** Adds every layer's entries to `registry` unless the config's targets are all registered already. */
export async function addLayerEntriesIfNeeded(registry: Registry, config: BundleConfig): Promise<void> {
  if (targetsAllRegistered(config.raw(''), registry)) return;
  const { layerEntries } = await import('./registry.js');
  registry.registerAll(layerEntries());
}
