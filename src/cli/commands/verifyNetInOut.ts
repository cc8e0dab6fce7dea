/**
 * `bundle verify_net_in_out <net_id> --config_file ... [--meta_file ...] [--n N] [--p P] [--any A]`: runs the
 * network on random input of the shape the metadata declares and checks the output's channels and dtype.
 */
import type { CommandModule } from 'yargs';
import { cliLogger, collectOverrides, OVERRIDE_HELP, parseFileOption } from './run.js';
import { BundleError } from '../../errors/index.js';

interface VerifyNetArgs {
  net_id?: string;
  config_file?: string | string[];
  meta_file?: string | string[];
  n?: string;
  p?: string;
  any?: string;
  [key: string]: unknown;
}

const OPTIONS = ['net_id', 'config_file', 'meta_file', 'n', 'p', 'any'] as const;

function factor(value: string | undefined, name: string): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new BundleError('usage', `--${name} must be a positive whole number, not "${value}".`, { hint: `for example --${name} 2` });
  }
  return Number(value);
}

export const verifyNetInOutCommand: CommandModule<object, VerifyNetArgs> = {
  command: 'verify_net_in_out [net_id]',
  describe: 'Run a network on random input shaped as the metadata declares and check its output channels and dtype',
  builder: (yargs) =>
    yargs
      .positional('net_id', { type: 'string', default: 'network_def', describe: 'the id of the network in the config' })
      .option('config_file', { type: 'string', describe: 'config file(s), merged in order' })
      .option('meta_file', { type: 'string', describe: 'metadata file(s); default: metadata.json beside the first config file' })
      .option('n', { type: 'string', describe: 'value of n in sizes such as "16*n" (default 1)' })
      .option('p', { type: 'string', describe: 'value of p in sizes such as "2**p" (default 1)' })
      .option('any', { type: 'string', describe: 'size for "*" (default 1)' })
      .epilogue(`${OVERRIDE_HELP}\n\nExit codes: 0 verified, 1 mismatch or bundle error, 2 usage error.`)
      .example('$0 verify_net_in_out network_def --config_file configs/inference.json', ''),
  handler: async (args) => {
    if (args.config_file === undefined) {
      throw new BundleError('usage', 'verify_net_in_out needs --config_file.', { hint: 'e.g. bundle verify_net_in_out network_def --config_file configs/inference.json' });
    }
    const netId = args.net_id ?? 'network_def';
    const factors = { n: factor(args.n, 'n'), p: factor(args.p, 'p'), any: factor(args.any, 'any') };
    const overrides = collectOverrides(args, OPTIONS);
    const [{ loadConfig }, { netIoSpec, verifyNetInOut }, { defaultRegistry }] = await Promise.all([
      import('../../config/index.js'),
      import('../../engine/verifyNetInOut.js'),
      import('../registry.js'),
    ]);
    const logger = cliLogger('info');
    const config = await loadConfig({
      configFiles: parseFileOption(args.config_file, 'config_file'),
      ...(args.meta_file !== undefined ? { metaFiles: parseFileOption(args.meta_file, 'meta_file') } : {}),
      overrides,
      registry: await defaultRegistry(),
      logger,
    });
    const spec = netIoSpec(await config.resolve('_meta_'));
    const network = await config.resolve(netId);
    const result = await verifyNetInOut(network, spec, factors, netId);
    process.stdout.write(
      `${netId}: input [${result.inputShape.join(', ')}] -> output [${result.outputShape.join(', ')}] ${result.outputType}; ` +
        `${spec.outputChannels} channel${spec.outputChannels === 1 ? '' : 's'} and ${spec.outputDtype} as declared\n`,
    );
  },
};
