/** The engine layer's public surface. */
export * from './events.js';
export * from './Evaluator.js';
export * from './tensors.js';
export * from './Workflow.js';
export * from './properties.js';
export * from './functions.js';
export { globFiles } from './glob.js';
export { configHash, canonicalJson } from './configHash.js';
export * from './metadata.js';
export * from './verifyNetInOut.js';
export * from './initBundle.js';
export { StatsHandler } from './handlers/StatsHandler.js';
export { ProgressHandler } from './handlers/ProgressHandler.js';
export { RunSummaryHandler, SUMMARY_FILE_NAME, type RunSummary } from './handlers/RunSummaryHandler.js';
export { engineEntries, evaluatorSchema, evaluatorProperties, evaluatorOptions } from './entries.js';
