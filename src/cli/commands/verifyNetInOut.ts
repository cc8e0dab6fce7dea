/**
 * `bundle verify_net_in_out [net_id] --config_file ... [--meta_file ...] [--n N] [--p P] [--any A] [--<id> <value>]`:
 * runs the network on random input of the shape the metadata declares and checks the output's channels and dtype.
 */
import type { Argv, CommandModule } from 'yargs';
import { BundleError } from '../../errors/index.js';
import { splitPositionals, withConfigOptions } from '../options.js';
import type { ConfigArgv } from '../configArgs.js';
import { cliLogger } from './run.js';

interface VerifyNetArgs extends ConfigArgv {
  args?: string[];
  n?: string;
  p?: string;
  any?: string;
}

function factor(value: string | undefined, name: string): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new BundleError('usage', `--${name} must be a positive whole number, not "${value}".`, { hint: `for example --${name} 2` });
  }
  return Number(value);
}

export const verifyNetInOutCommand: CommandModule<object, VerifyNetArgs> = {
  command: 'verify_net_in_out [args..]',
  describe: 'Run a network on random input shaped as the metadata declares and check its output channels and dtype',
  builder: (yargs) =>
    withConfigOptions(
      yargs
        .positional('args', { type: 'string', array: true, describe: 'the id of the network (default network_def), then overrides: --<id> <value> ...' })
        .option('n', { type: 'string', describe: 'value of n in sizes such as "16*n" (default 1)' })
        .option('p', { type: 'string', describe: 'value of p in sizes such as "2**p" (default 1)' })
        .option('any', { type: 'string', describe: 'size for "*" (default 1)' })
        .example('$0 verify_net_in_out network_def --config_file configs/inference.json', ''),
    ).epilogue('Exit codes: 0 verified, 1 mismatch or bundle error, 2 usage error.') as unknown as Argv<VerifyNetArgs>,
  handler: async (args) => {
    const { positionals, overrides } = splitPositionals((args.args ?? []).map(String), 1);
    const netId = positionals[0] ?? 'network_def';
    const factors = { n: factor(args.n, 'n'), p: factor(args.p, 'p'), any: factor(args.any, 'any') };
    const [{ loadConfig }, { loadOptionsFromArgv }, { netIoSpec, verifyNetInOut }, { defaultRegistry }] = await Promise.all([
      import('../../config/index.js'),
      import('../configArgs.js'),
      import('../../engine/verifyNetInOut.js'),
      import('../registry.js'),
    ]);
    const config = await loadConfig({ ...loadOptionsFromArgv(args, overrides, defaultRegistry()), logger: cliLogger('info') });
    const spec = netIoSpec(await config.resolve('_meta_'));
    const network = await config.resolve(netId);
    const result = await verifyNetInOut(network, spec, factors, netId);
    process.stdout.write(
      `${netId}: input [${result.inputShape.join(', ')}] -> output [${result.outputShape.join(', ')}] ${result.outputType}; ` +
        `${spec.outputChannels} channel${spec.outputChannels === 1 ? '' : 's'} and ${spec.outputDtype} as declared\n`,
    );
  },
};
