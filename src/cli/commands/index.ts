import type { CommandModule } from 'yargs';
import { checkCommand } from './check.js';
import { convertMonaiCommand } from './convertMonai.js';
import { convertTfjsCommand } from './convertTfjs.js';
import { explainCommand } from './explain.js';
import { resolveCommand } from './resolve.js';
import { schemaCommand } from './schema.js';
import { initBundleCommand } from './initBundle.js';
import { queueCommand } from './queue.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { verifyMetadataCommand } from './verifyMetadata.js';
import { verifyNetInOutCommand } from './verifyNetInOut.js';
import { workerCommand } from './worker.js';

/**
 * Every CLI command, one module each. Commands import their heavy dependencies lazily inside the
 * handler so that `bundle resolve` never loads onnxruntime.
 */
export const commands: CommandModule<any, any>[] = [convertMonaiCommand, convertTfjsCommand, runCommand, serveCommand, verifyMetadataCommand, verifyNetInOutCommand, initBundleCommand, queueCommand, workerCommand, resolveCommand, explainCommand, checkCommand, schemaCommand];
