/**
 * `bundle verify_metadata --meta_file metadata.json`: validates the metadata against the schema its `schema`
 * field names, from the copies in schemas/ (offline), and lists every problem with its JSON path.
 */
import type { CommandModule } from 'yargs';
import { BundleError, printable } from '../../errors/index.js';
import { parseFileList } from '../../config/overrides.js';

interface VerifyMetadataArgs {
  meta_file?: string;
  schema?: string;
}

export const verifyMetadataCommand: CommandModule<object, VerifyMetadataArgs> = {
  command: 'verify_metadata',
  describe: "Validate a bundle's metadata.json against the schema it names (offline, shipped copies)",
  builder: (yargs) =>
    yargs
      .option('meta_file', { type: 'string', describe: 'the metadata file(s); several are merged in order' })
      .option('schema', { type: 'string', describe: 'validate against this JSON Schema file instead of the shipped copy its "schema" field names' })
      .epilogue('Exit codes: 0 valid, 1 invalid (every problem listed), 2 usage error.')
      .example('$0 verify_metadata --meta_file configs/metadata.json', '')
      .example('$0 verify_metadata --meta_file configs/metadata.json --schema meta_schema_20220324.json', 'a schema downloaded from the URL the metadata names'),
  handler: async (args) => {
    if (args.meta_file === undefined) {
      throw new BundleError('usage', 'verify_metadata needs --meta_file.', { hint: 'e.g. bundle verify_metadata --meta_file configs/metadata.json' });
    }
    const files = parseFileList(args.meta_file, 'meta_file');
    const [{ loadConfig }, { verifyMetadata }] = await Promise.all([import('../../config/index.js'), import('../../engine/metadata.js')]);
    // loaded as a config (no macros are expanded in plain data) to get duplicate-key checks, YAML and merging
    const config = await loadConfig({ configFiles: files, metaFiles: [] });
    const { _meta_: _ignored, ...metadata } = config.raw('') as Record<string, unknown>;
    const schema = verifyMetadata(metadata, files.join(', '), args.schema);
    process.stdout.write(`${printable(files.join(', '))}: valid against ${schema.split(/[\/]/).pop()}
`);
  },
};
