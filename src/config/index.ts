/** The config layer's public API. */
export { loadConfig, type LoadConfigOptions } from './loadConfig.js';
export { BundleConfig } from './BundleConfig.js';
export type { ComponentFactory, BuildContext, Logger } from './types.js';
export { emptyFactory } from './types.js';
export type { ExpressionFunction, ExpressionBounds } from './expressions.js';
export { DEFAULT_BOUNDS, isJsonataFunction } from './expressions.js';
export { builtinFunctions } from './builtinFunctions.js';
export { parseCliValue, parseFileList, parseOverrideArgs, formatCliValue } from './overrides.js';
export { describeValue, toPrintable } from './describe.js';
export { bundleRootOf, defaultMetaFile } from './bundleLayout.js';
export { parseId, formatId } from './ids.js';
export type { Origin } from '../errors/index.js';
