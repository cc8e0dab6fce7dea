/**
 * The pipeline: load each file, merge in order, store metadata under `_meta_`, apply overrides, expand
 * macros. Resolution happens later, lazily, on the returned BundleConfig.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BundleError, type Origin } from '../errors/index.js';
import { BundleConfig } from './BundleConfig.js';
import { builtinFunctions } from './builtinFunctions.js';
import { bundleRootOf, defaultMetaFile } from './bundleLayout.js';
import { DEFAULT_BOUNDS, ExpressionEngine, type ExpressionFunction } from './expressions.js';
import { loadConfigFile } from './load.js';
import { MacroExpander } from './macros.js';
import { applyKey, type RawRoot } from './merge.js';
import { checkOverrideTarget, splitNewIdMarker } from './overrideTargets.js';
import { OriginTable } from './provenance.js';
import { Resolver } from './resolver.js';
import { isPlainObject, META_KEY } from './sigils.js';
import { emptyFactory, type ComponentFactory, type Logger } from './types.js';

export interface LoadConfigOptions {
  /** absolute or relative to the current directory */
  configFiles: string[];
  /** default: metadata.json beside the first config file (missing -> {}) */
  metaFiles?: string[];
  /** applied in order after the merge; a `+` prefix on the id merges; an id no file defines needs `new:` (overrideTargets.ts) */
  overrides?: Array<{ id: string; value: unknown; origin?: Origin }>;
  /**
   * the config language as the spec (§4) and MONAI have it: an override's last key may be new without `new:`.
   * Off by default: a typo such as `--output_dri` is an error with the closest ids (the CLI's rule).
   */
  allowNewOverrideIds?: boolean;
  /** default here: no components (src/index.ts's loadConfig defaults to the builtins registry) */
  registry?: ComponentFactory;
  allowOutsideBundleRoot?: boolean;
  expressionTimeoutMs?: number;
  expressionMaxDepth?: number;
  /** longest string / list one expression step may build */
  expressionMaxChars?: number;
  expressionMaxItems?: number;
  /** extra expression functions (name without `$`), added to the built-in ones */
  functions?: Record<string, ExpressionFunction>;
  logger?: Logger;
  /** where `_mode_: "debug"` prints (default: stderr) */
  debugSink?: (text: string) => void;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export async function loadConfig(options: LoadConfigOptions): Promise<BundleConfig> {
  if (options.configFiles.length === 0) {
    throw new BundleError('usage', 'No config file was given.', { hint: 'pass --config_file <file.json>' });
  }
  const configFiles = options.configFiles.map((f) => path.resolve(f));
  const bundleRoot = bundleRootOf(configFiles[0]!);
  const origins = new OriginTable();
  const root: RawRoot = { value: {} };
  origins.root = { source: 'file', file: configFiles[0], line: 1, column: 1 };
  for (const file of configFiles) mergeFile(root, file, origins);

  const metaFiles = options.metaFiles?.map((f) => path.resolve(f)) ?? [defaultMetaFile(configFiles[0]!)].filter((f) => existsSync(f));
  if (isPlainObject(root.value)) {
    const meta: RawRoot = { value: {} };
    for (const file of metaFiles) mergeFile(meta, file, origins);
    root.value[META_KEY] = meta.value;
    origins.set(root.value, META_KEY, metaFiles.length > 0
      ? { source: 'file', file: metaFiles[0], line: 1, column: 1 }
      : { source: 'default', detail: 'no metadata file' });
  }

  for (const o of options.overrides ?? []) {
    const origin = o.origin ?? { source: 'cli', detail: `--${o.id}` };
    const { id, isNew } = splitNewIdMarker(o.id);
    if (!isNew && !options.allowNewOverrideIds) checkOverrideTarget(root.value, id, origin);
    applyKey(root, id, o.value, origin, origins);
  }

  const allowOutsideBundleRoot = options.allowOutsideBundleRoot ?? false;
  new MacroExpander({ bundleRoot, allowOutsideBundleRoot, origins }).expandAll(root, configFiles[0]!);

  const engine = new ExpressionEngine(
    {
      timeoutMs: options.expressionTimeoutMs ?? DEFAULT_BOUNDS.timeoutMs,
      maxDepth: options.expressionMaxDepth ?? DEFAULT_BOUNDS.maxDepth,
      maxChars: options.expressionMaxChars ?? DEFAULT_BOUNDS.maxChars,
      maxItems: options.expressionMaxItems ?? DEFAULT_BOUNDS.maxItems,
    },
    { ...builtinFunctions, ...options.functions },
  );
  const factory = options.registry ?? emptyFactory;
  const logger = options.logger ?? silent;
  const resolver = new Resolver({ root, origins, engine, factory, bundleRoot, logger, debugSink: options.debugSink });
  return new BundleConfig({ root, origins, resolver, engine, factory, bundleRoot, configFiles, metaFiles });
}

function mergeFile(root: RawRoot, file: string, origins: OriginTable): void {
  const loaded = loadConfigFile(file, origins);
  if (!isPlainObject(loaded.value)) {
    root.value = loaded.value;
    origins.root = loaded.origin;
    return;
  }
  for (const [key, value] of Object.entries(loaded.value)) {
    applyKey(root, key, value, origins.get(loaded.value, key) ?? loaded.origin, origins);
  }
}
