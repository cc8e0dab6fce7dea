/**
 * `bundle serve [--config_file ...] [--port 8000] [--host 127.0.0.1] [--token ...] [--<id> <value> ...]`:
 * the bundle as an interactive web app and HTTP API (src/serve), until SIGINT/SIGTERM.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { parseFileList, parseOverrideArgs } from '../../config/overrides.js';
import { BundleError } from '../../errors/index.js';
import { splitPositionals, withConfigOptions } from '../options.js';
import { DEFAULT_BUNDLE_ROOT, DEFAULT_CONFIG_FILE } from '../runReport.js';
import { cliLogger, LOG_LEVELS, type LogLevel } from './run.js';

interface ServeArgs {
  args?: string[];
  config_file?: string;
  meta_file?: string;
  host: string;
  port: number;
  token?: string;
  data_dir?: string;
  max_upload_mb: number;
  idle_minutes: number;
  cache_mb: number;
  queue_limit: number;
  tmp_dir?: string;
  allow_outside_root?: boolean;
  expression_timeout?: number;
  expression_max_depth?: number;
  'log-level'?: string;
}

export const TOKEN_ENV = 'BUNDLE_SERVE_TOKEN';

function serveBuilder(yargs: Argv): Argv<ServeArgs> {
  const shared = withConfigOptions(yargs);
  delete (shared as unknown as { getDemandedOptions(): Record<string, unknown> }).getDemandedOptions().config_file;
  return shared
    .positional('args', { type: 'string', array: true, describe: 'overrides: --<id> <value> ...' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on; anything but loopback needs --token' })
    .option('port', { type: 'number', default: 8000, describe: 'port (0: any free port, printed at start)' })
    .option('token', { type: 'string', describe: `bearer token every /api request must carry (or set ${TOKEN_ENV})` })
    .option('data_dir', { type: 'string', describe: 'a folder whose NIfTI files clients may name (relative names only); default for the shipped bundle: its sample/' })
    .option('max_upload_mb', { type: 'number', default: 1024, describe: 'largest upload accepted, in MiB' })
    .option('idle_minutes', { type: 'number', default: 60, describe: 'images and results unused this long are deleted' })
    .option('cache_mb', { type: 'number', default: 1024, describe: 'memory for preprocessed images, and as much again for results that can seed a click' })
    .option('queue_limit', { type: 'number', default: 8, describe: 'requests that may wait for the network; more get 503' })
    .option('tmp_dir', { type: 'string', describe: 'where the server makes its temporary folder (default: the OS temp folder)' })
    .option('log-level', { type: 'string', choices: [...LOG_LEVELS], default: 'info', describe: 'messages shown on stderr' })
    .example('$0 serve', 'the shipped VISTA3D bundle at http://127.0.0.1:8000/')
    .example('$0 serve --config_file examples/brain-meshnet/configs/inference.json --port 8001', 'another bundle, in run mode')
    .epilogue('Stops on SIGINT/SIGTERM: running requests finish, the temporary folder is removed. API: /openapi.json, docs/serve.md.') as unknown as Argv<ServeArgs>;
}

function positive(value: number, option: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new BundleError('usage', `--${option} must be a positive number, not ${value}.`, { location: { path: `--${option}` } });
  return value;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve [args..]',
  describe: 'Serve a bundle as an interactive web page and HTTP API (VISTA3D: click to segment)',
  builder: serveBuilder,
  handler: async (args) => {
    const logger = cliLogger((args['log-level'] ?? 'info') as LogLevel);
    const { overrides: tokens, positionals } = splitPositionals((args.args ?? []).map(String), 0);
    if (positionals.length) throw new BundleError('usage', `Unexpected argument "${positionals[0]}".`, { hint: 'overrides are written --<id> <value>' });
    const overrides = parseOverrideArgs(tokens);
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
      throw new BundleError('usage', `--port must be an integer from 0 to 65535, not ${args.port}.`, { location: { path: '--port' } });
    }
    const token = args.token ?? process.env[TOKEN_ENV] ?? null;
    const { checkHost, startServer } = await import('../../serve/server.js');
    checkHost(args.host, token || null);
    const useDefaultBundle = args.config_file === undefined;
    if (useDefaultBundle) overrides.unshift({ id: 'bundle_root', value: DEFAULT_BUNDLE_ROOT, origin: { source: 'cli', detail: `default bundle ${DEFAULT_BUNDLE_ROOT}` } });
    const { defaultRegistry } = await import('../registry.js');
    // the shipped bundle offers its sample CT on the page, so a first try needs no file at hand
    const dataDir = args.data_dir ?? (useDefaultBundle ? path.join(DEFAULT_BUNDLE_ROOT, 'sample') : null);
    const server = await startServer({
      configFiles: useDefaultBundle ? [DEFAULT_CONFIG_FILE] : parseFileList(args.config_file!, 'config_file'),
      ...(args.meta_file !== undefined ? { metaFiles: parseFileList(args.meta_file, 'meta_file') } : {}),
      overrides,
      registry: defaultRegistry(),
      host: args.host,
      port: args.port,
      token: token || null,
      maxUploadBytes: Math.round(positive(args.max_upload_mb, 'max_upload_mb') * 1024 * 1024),
      dataDir,
      idleMs: positive(args.idle_minutes, 'idle_minutes') * 60_000,
      cacheBytes: Math.round(positive(args.cache_mb, 'cache_mb') * 1024 * 1024),
      queueLimit: Math.floor(positive(args.queue_limit, 'queue_limit')),
      ...(args.tmp_dir ? { tmpDir: args.tmp_dir } : {}),
      allowOutsideBundleRoot: args.allow_outside_root === true,
      ...(args.expression_timeout !== undefined ? { expressionTimeoutMs: args.expression_timeout } : {}),
      ...(args.expression_max_depth !== undefined ? { expressionMaxDepth: args.expression_max_depth } : {}),
      logger,
    });
    process.stdout.write(`serving ${server.session.name} (${server.session.mode} mode) at ${server.url}\n`);
    await new Promise<void>((resolve, reject) => {
      const stop = (signal: string) => {
        process.stderr.write(`${signal}: shutting down\n`);
        server.close().then(resolve, reject);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    process.stdout.write('stopped\n');
  },
};
