import type { CommandModule } from 'yargs';
import { convertTfjsCommand } from './convertTfjs.js';

/**
 * Every CLI command, one module each. Commands import their heavy dependencies lazily inside the
 * handler so that `bundle resolve` never loads onnxruntime.
 */
export const commands: CommandModule<any, any>[] = [convertTfjsCommand];
