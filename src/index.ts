/**
 * The programmatic API. `loadConfig` here defaults to a registry with the builtins (`dict`); pass
 * `registry` for more components (the CLI passes src/cli/registry.ts's defaultRegistry()).
 */
import { loadConfig as loadConfigCore, type BundleConfig, type LoadConfigOptions } from './config/index.js';
import { builtinEntries } from './registry/builtins.js';
import { Registry } from './registry/Registry.js';

export * from './config/index.js';
export * from './errors/index.js';
export { Registry } from './registry/Registry.js';
export { validateArgs } from './registry/validateArgs.js';
export { builtinEntries, dictEntry } from './registry/builtins.js';
export { configSchema } from './registry/configSchema.js';
export type { ComponentEntry, ComponentContext, JsonSchema } from './registry/ComponentEntry.js';

/** Loads, merges, overrides and expands a config; components come from `options.registry` or the builtins. */
export function loadConfig(options: LoadConfigOptions): Promise<BundleConfig> {
  return loadConfigCore({ registry: new Registry(builtinEntries), ...options });
}
