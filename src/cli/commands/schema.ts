/**
 * `bundle schema`: writes the JSON Schema for config files (special keys, every registered `_target_` with
 * its argument schema) to schemas/bundle-config.schema.json, atomically.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { BundleError } from '../../errors/index.js';

/** schemas/bundle-config.schema.json of this package (dist/cli/commands -> ../../../schemas, same from src). */
export const DEFAULT_SCHEMA_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'schemas', 'bundle-config.schema.json');

export const schemaCommand: CommandModule<object, { output: string; stdout: boolean }> = {
  command: 'schema',
  describe: 'Write schemas/bundle-config.schema.json (the JSON Schema editors use to check and complete configs)',
  builder: (y) =>
    y
      .option('output', { type: 'string', default: DEFAULT_SCHEMA_FILE, describe: 'where to write the schema' })
      .option('stdout', { type: 'boolean', default: false, describe: 'print the schema instead of writing it' }),
  handler: async (argv) => {
    const { configSchema } = await import('../../registry/configSchema.js');
    const { defaultRegistry } = await import('../registry.js');
    const text = `${JSON.stringify(configSchema(defaultRegistry()), null, 2)}\n`;
    if (argv.stdout) {
      process.stdout.write(text);
      return;
    }
    const temp = `${argv.output}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, text);
      renameSync(temp, argv.output);
    } catch (e) {
      rmSync(temp, { force: true });
      throw new BundleError('write_failed', `Cannot write the schema to ${argv.output}.`, { location: { file: argv.output }, cause: e });
    }
    process.stdout.write(`wrote ${argv.output}\n`);
  },
};
