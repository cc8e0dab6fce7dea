export { Registry } from './Registry.js';
export { validateArgs } from './validateArgs.js';
export { builtinEntries, dictEntry } from './builtins.js';
export * from './ComponentEntry.js';
