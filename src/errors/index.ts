export * from './BundleError.js';
export * from './kinds.js';
export * from './render.js';
