/**
 * `bundle worker --config_file ... --redis <url>`: takes jobs from the queue and runs each as `bundle run`
 * would. The bundle comes from this worker's own --config_file; jobs bring only data. Runs until stopped:
 * SIGTERM or Ctrl-C finishes the running job(s) and exits 0.
 */
import type { Argv, CommandModule } from 'yargs';
import { parseFileList } from '../../config/overrides.js';
import { BundleError } from '../../errors/index.js';
import { configOptions } from '../options.js';
import { redisOptions, type RedisArgv, targetOf } from './queue.js';

interface WorkerArgv extends RedisArgv {
  config_file: string;
  meta_file?: string;
  allow_outside_root?: boolean;
  expression_timeout?: number;
  expression_max_depth?: number;
  concurrency: number;
  path_map?: string[];
  lock_duration: number;
  stalled_interval: number;
  max_stalled: number;
  quiet: boolean;
  until_empty: boolean;
}

export const workerCommand: CommandModule<object, WorkerArgv> = {
  command: 'worker',
  describe: 'Run queued jobs (from `bundle queue submit`) with this bundle, until SIGTERM',
  builder: (y) =>
    y
      .options(configOptions)
      .options(redisOptions)
      .option('concurrency', { type: 'number', default: 1, describe: 'jobs run at once by this process' })
      .option('path_map', { type: 'string', array: true, describe: 'from=to: paths in jobs that start with "from" start with "to" here (repeatable)' })
      .option('lock_duration', { type: 'number', default: 60000, describe: "ms a job's lock lives unrenewed: a killed worker's job is handed on after it; must exceed the longest network run (it blocks lock renewal)" })
      .option('stalled_interval', { type: 'number', default: 30000, describe: 'ms between checks for jobs whose worker died' })
      .option('max_stalled', { type: 'number', default: 3, describe: 'times a job may be recovered from a dead worker before it fails' })
      .option('until_empty', { type: 'boolean', default: false, describe: 'exit 0 once no job is waiting, delayed or running anywhere (batch runs, Kubernetes Jobs)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'log only failures and connection trouble' })
      .strict()
      .example('$0 worker --config_file examples/brain-meshnet/configs/inference.json --redis redis://queue-host:6379', '')
      .example('$0 worker --config_file ... --path_map /mnt/nas=/data', 'inputs submitted as /mnt/nas/... are read from /data/...')
      .epilogue('Inputs and outputs must be reachable from every worker at the same paths (a shared file system), or mapped with --path_map.') as unknown as Argv<WorkerArgv>,
  handler: async (argv) => {
    for (const [name, value, min] of [
      ['concurrency', argv.concurrency, 1],
      ['lock_duration', argv.lock_duration, 100],
      ['stalled_interval', argv.stalled_interval, 100],
      ['max_stalled', argv.max_stalled, 0],
    ] as const) {
      if (!Number.isInteger(value) || value < min) throw new BundleError('usage', `--${name} must be an integer of at least ${min}, not ${value}.`);
    }
    const [{ prepareBundle, startWorker }, { parsePathMaps }, { checkRedis }, { defaultRegistry }, { cliLogger }] = await Promise.all([
      import('../../queue/worker.js'),
      import('../../queue/jobs.js'),
      import('../../queue/connection.js'),
      import('../registry.js'),
      import('./run.js'),
    ]);
    const configFiles = parseFileList(argv.config_file, 'config_file');
    const metaFiles = argv.meta_file === undefined ? undefined : parseFileList(argv.meta_file, 'meta_file');
    const pathMaps = parsePathMaps((argv.path_map ?? []).map(String));
    const target = targetOf(argv);
    await checkRedis(target);
    const stamp = () => new Date().toISOString().slice(11, 19);
    const log = (line: string) => {
      if (!argv.quiet || /^(failed|redis|lost)/.test(line)) process.stderr.write(`${stamp()} ${line}\n`);
    };
    const worker = await startWorker({
      target,
      queue: argv.queue,
      concurrency: argv.concurrency,
      untilEmpty: argv.until_empty,
      stall: { lockDurationMs: argv.lock_duration, stalledIntervalMs: argv.stalled_interval, maxStalledCount: argv.max_stalled },
      bundle: await prepareBundle({
        configFiles,
        ...(metaFiles ? { metaFiles } : {}),
        registry: defaultRegistry(),
        pathMaps,
        logger: cliLogger('warn'),
        loadOptions: {
          allowOutsideBundleRoot: argv.allow_outside_root === true,
          ...(argv.expression_timeout !== undefined ? { expressionTimeoutMs: argv.expression_timeout } : {}),
          ...(argv.expression_max_depth !== undefined ? { expressionMaxDepth: argv.expression_max_depth } : {}),
        },
      }),
      log,
    });
    await worker.stopped;
    log('worker stopped');
  },
};
