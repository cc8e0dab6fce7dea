/** `bundle init_bundle <dir>`: scaffolds a new bundle (configs, docs, models); never overwrites one. */
import type { CommandModule } from 'yargs';
import { printable } from '../../errors/index.js';

interface InitBundleArgs {
  bundle_dir: string;
  name?: string;
}

export const initBundleCommand: CommandModule<object, InitBundleArgs> = {
  command: 'init_bundle <bundle_dir>',
  describe: 'Create a new bundle folder: configs/inference.json, configs/metadata.json, docs/README.md, models/',
  builder: (yargs) =>
    yargs
      .positional('bundle_dir', { type: 'string', demandOption: true, describe: 'the new bundle folder (must not exist or be empty)' })
      .option('name', { type: 'string', describe: 'the bundle name in the metadata (default: the folder name)' })
      .epilogue('Exit codes: 0 created, 2 usage error (e.g. the folder is not empty).')
      .example('$0 init_bundle my_bundle', ''),
  handler: async (args) => {
    const { initBundle } = await import('../../engine/initBundle.js');
    const files = initBundle(args.bundle_dir, args.name ? { name: args.name } : {});
    process.stdout.write(['created:', ...files.map((f) => `  ${printable(f)}`), `next: put the network at models/model.onnx and edit configs/inference.json`].join('\n') + '\n');
  },
};
