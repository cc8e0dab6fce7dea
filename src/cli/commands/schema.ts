/**
 * `bundle schema`: writes the JSON Schema for config files (special keys, every registered `_target_` with
 * its argument schema) to schemas/bundle-config.schema.json, atomically.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';

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
    const { writeFileAtomic } = await import('../../util/atomicWrite.js');
    writeFileAtomic(argv.output, text, 'the schema');
    process.stdout.write(`wrote ${argv.output}\n`);
  },
};
