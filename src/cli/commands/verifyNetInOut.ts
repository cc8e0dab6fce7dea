/**
 * `bundle verify_net_in_out [net_id] --config_file ... [--meta_file ...] [--n N] [--p P] [--any A] [--<id> <value>]`:
 * runs the network on random input of the shape the metadata declares and checks the output's channels and dtype.
 */
import type { Argv, CommandModule } from 'yargs';
import { BundleError } from '../../errors/index.js';
import { rejectMonaiOnlyOptions, splitPositionals, withConfigOptions, withMonaiOnlyOptions } from '../options.js';
import type { ConfigArgv } from '../configArgs.js';
import { cliLogger } from './run.js';

interface VerifyNetArgs extends ConfigArgv {
  args?: string[];
  n?: string;
  p?: string;
  any?: string;
  net_id?: string;
  device?: string;
}

/** MONAI's --device as execution providers: "cuda" / "cuda:0" prefer CUDA (cpu as fallback), "cpu" is cpu. */
function providersFor(device: string): string[] {
  const d = device.trim().toLowerCase();
  if (d === 'cpu') return ['cpu'];
  if (d === 'cuda' || /^cuda:\d+$/.test(d)) return ['cuda', 'cpu'];
  throw new BundleError('usage', `--device must be "cpu" or "cuda" (or "cuda:N"), not "${device}".`, {
    hint: 'the device becomes the OnnxNetwork\'s execution_providers; other providers are set in the config',
  });
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
      withMonaiOnlyOptions(yargs)
        .positional('args', { type: 'string', array: true, describe: 'the id of the network (default network_def), then overrides: --<id> <value> ...' })
        .option('n', { type: 'string', describe: 'value of n in sizes such as "16*n" (default 1)' })
        .option('p', { type: 'string', describe: 'value of p in sizes such as "2**p" (default 1)' })
        .option('any', { type: 'string', describe: 'size for "*" (default 1)' })
        .option('net_id', { type: 'string', describe: 'the id of the network (MONAI\'s name; same as the positional)' })
        .option('device', { type: 'string', describe: 'cpu or cuda[:N]: run an OnnxNetwork on these execution providers (cuda falls back to cpu with a warning)' })
        .example('$0 verify_net_in_out network_def --config_file configs/inference.json', ''),
    ).epilogue('Exit codes: 0 verified, 1 mismatch or bundle error, 2 usage error.') as unknown as Argv<VerifyNetArgs>,
  handler: async (args) => {
    rejectMonaiOnlyOptions(args as unknown as Record<string, unknown>, 'verify_net_in_out');
    const { positionals, overrides } = splitPositionals((args.args ?? []).map(String), 1);
    if (positionals[0] !== undefined && args.net_id !== undefined && positionals[0] !== args.net_id) {
      throw new BundleError('usage', `The network id is given twice, as "${positionals[0]}" and --net_id "${args.net_id}".`, { hint: 'name the network once' });
    }
    const netId = args.net_id ?? positionals[0] ?? 'network_def';
    if (args.device !== undefined) overrides.push(`--${netId}::execution_providers`, JSON.stringify(providersFor(args.device)));
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
    if (result.graphs) {
      process.stdout.write(
        `${netId}: every graph matches its contract on input [${result.inputShape.join(', ')}]\n${result.graphs.map((g) => `  ${g}`).join('\n')}\n` +
          `  (the metadata's ${spec.outputChannels}-channel ${spec.outputDtype} output is the post-processed result, not a graph's)\n`,
      );
      return;
    }
    process.stdout.write(
      `${netId}: input [${result.inputShape.join(', ')}] -> output [${result.outputShape.join(', ')}] ${result.outputType}; ` +
        `${spec.outputChannels} channel${spec.outputChannels === 1 ? '' : 's'} and ${spec.outputDtype} as declared\n`,
    );
  },
};
