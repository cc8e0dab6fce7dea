/** The transform layer's public surface. */
export * from './Transform.js';
export * from './MapTransform.js';
export { transformEntries } from './entries.js';
