/**
 * `bundle queue submit|status|retry-failed|clean`: a cohort as BullMQ jobs on Redis, for `bundle worker`s on
 * any number of machines. The queue code is in src/queue; this module only parses arguments and prints.
 */
import type { Argv, CommandModule, Options } from 'yargs';
import { parseCliValue, parseFileList, parseOverrideArgs } from '../../config/overrides.js';
import { isPlainObject } from '../../config/sigils.js';
import { BundleError } from '../../errors/index.js';
import { splitPositionals, withConfigOptions } from '../options.js';

export const redisOptions = {
  redis: {
    type: 'string',
    default: process.env.BUNDLE_REDIS_URL ?? 'redis://127.0.0.1:6379',
    describe: 'Redis URL: redis://[user:password@]host:port[/db], rediss://... for TLS (default: $BUNDLE_REDIS_URL, else local)',
  },
  redis_ca: { type: 'string', describe: 'PEM file of the CA that signed the Redis server certificate (rediss:// only)' },
  queue: { type: 'string', default: 'bundle', describe: 'queue name (several cohorts or bundles can share one Redis)' },
} satisfies Record<string, Options>;

export interface RedisArgv {
  redis: string;
  redis_ca?: string;
  queue: string;
}

export function targetOf(argv: RedisArgv) {
  return { url: argv.redis, ...(argv.redis_ca ? { caFile: argv.redis_ca } : {}) };
}

interface SubmitArgv extends RedisArgv {
  overrides?: string[];
  config_file: string;
  meta_file?: string;
  inputs: string | string[];
  input_dict?: string;
  image_key: string;
  identity: 'stat' | 'sha256';
  force: boolean;
  attempts: number;
  backoff: number;
}

const submitCommand: CommandModule<object, SubmitArgv> = {
  command: 'submit [overrides..]',
  describe: 'Add one job per input file (a second submission of the same files adds nothing)',
  builder: (y) =>
    withConfigOptions(y.positional('overrides', { type: 'string', array: true, describe: 'overrides for every job: --<id> <value> ...' }))
      .options(redisOptions)
      // not an array option: it would swallow the overrides after it (--inputs "*.nii.gz" --output_dir out); repeat it instead
      .option('inputs', { type: 'string', demandOption: 'give the inputs with --inputs "<folder>/*.nii.gz" or --inputs list.txt', describe: 'a glob pattern (quoted) or a list file, one path per line; repeat for more' })
      .option('input_dict', { type: 'string', describe: "template of each item, e.g. \"{'label_prompt': [3]}\"; the input goes to its image key" })
      .option('image_key', { type: 'string', default: 'image', describe: 'the input_dict key the input file goes to' })
      .option('identity', { type: 'string', choices: ['stat', 'sha256'], default: 'stat', describe: 'what identifies an input in its job id: size+mtime, or content hash' })
      .option('force', { type: 'boolean', default: false, describe: 'run again inputs whose jobs finished or failed, even when their outputs exist' })
      .option('attempts', { type: 'number', default: 3, describe: 'tries per job before it is marked failed' })
      .option('backoff', { type: 'number', default: 5000, describe: 'delay before the first retry in ms; doubles each retry' })
      .example('$0 queue submit --config_file examples/brain-meshnet/configs/inference.json --inputs "cohort/*.nii.gz" --output_dir /shared/out', '')
      .epilogue('A job carries data only (input path, override values); overrides that set _target_, _requires_ or _mode_, or values that are "$" expressions, "@" references or "%" macros, are rejected. Give paths absolute: workers resolve relative paths against their own folder.') as unknown as Argv<SubmitArgv>,
  handler: async (argv) => {
    const { overrides: tokens } = splitPositionals((argv.overrides ?? []).map(String), 0);
    const overrides = parseOverrideArgs(tokens).map((o) => ({ id: o.id, value: o.value }));
    for (const [name, value, min] of [['attempts', argv.attempts, 1], ['backoff', argv.backoff, 0]] as const) {
      if (!Number.isInteger(value) || value < min) throw new BundleError('usage', `--${name} must be an integer of at least ${min}, not ${value}.`);
    }
    let template: Record<string, unknown> | undefined;
    if (argv.input_dict !== undefined) {
      const value = parseCliValue(argv.input_dict);
      if (!isPlainObject(value)) throw new BundleError('usage', `--input_dict must be a dict, not ${JSON.stringify(value)}.`, { hint: "for example --input_dict \"{'label_prompt': [3]}\"" });
      template = value;
    }
    const [{ bundleHash }, { submitJobs }] = await Promise.all([import('../../queue/worker.js'), import('../../queue/submit.js')]);
    const configFiles = parseFileList(argv.config_file, 'config_file');
    const metaFiles = argv.meta_file === undefined ? undefined : parseFileList(argv.meta_file, 'meta_file');
    const result = await submitJobs({
      target: targetOf(argv),
      queue: argv.queue,
      configHash: await bundleHash(configFiles, metaFiles),
      inputs: [argv.inputs].flat().map(String),
      overrides,
      ...(template ? { template } : {}),
      imageKey: argv.image_key,
      identity: argv.identity,
      force: argv.force,
      attempts: argv.attempts,
      backoffMs: argv.backoff,
    });
    for (const file of result.missing) process.stderr.write(`warning: ${file} does not exist; its job will fail unless the file appears\n`);
    process.stdout.write(
      `submitted ${result.total} input${result.total === 1 ? '' : 's'} to queue "${argv.queue}": ${result.added} new job${result.added === 1 ? '' : 's'}, ` +
        `${result.existing} already queued or done${result.forced ? `, ${result.forced} forced to run again` : ''}\n`,
    );
  },
};

interface StatusArgv extends RedisArgv {
  json?: boolean;
  watch?: number;
}

const statusCommand: CommandModule<object, StatusArgv> = {
  command: 'status',
  describe: 'Counts, failed jobs with their error kind, throughput and ETA',
  builder: (y) =>
    y
      .options(redisOptions)
      .option('watch', { type: 'number', describe: 'refresh every N seconds (default 2) until Ctrl-C', coerce: (v: unknown) => (v === '' || v === true ? 2 : Number(v)) }) as unknown as Argv<StatusArgv>,
  handler: async (argv) => {
    const { formatStatus, queueStatus, withQueue } = await import('../../queue/status.js');
    const target = targetOf(argv);
    await withQueue(target, argv.queue, async (queue) => {
      const show = async () => {
        const status = await queueStatus(queue, target);
        return argv.json ? JSON.stringify(status) : formatStatus(status);
      };
      if (argv.watch === undefined) {
        process.stdout.write((await show()) + '\n');
        return;
      }
      if (!(argv.watch > 0)) throw new BundleError('usage', '--watch takes a positive number of seconds.');
      let stop = false;
      const onInt = () => void (stop = true);
      process.once('SIGINT', onInt);
      let shown = 0;
      while (!stop) {
        const text = await show();
        // on a terminal the previous view is overwritten in place; elsewhere each view is appended
        if (process.stdout.isTTY && shown > 0) process.stdout.write(`\x1b[${shown}A\x1b[J`);
        process.stdout.write(text + '\n' + (process.stdout.isTTY ? '' : '\n'));
        shown = text.split('\n').length;
        for (let t = 0; t < argv.watch * 10 && !stop; t++) await new Promise((r) => setTimeout(r, 100));
      }
      process.off('SIGINT', onInt);
    });
  },
};

const retryCommand: CommandModule<object, RedisArgv> = {
  command: 'retry-failed',
  describe: 'Move every failed job back to waiting, attempts reset (after fixing its input)',
  builder: (y) => y.options(redisOptions) as unknown as Argv<RedisArgv>,
  handler: async (argv) => {
    const { retryFailed, withQueue } = await import('../../queue/status.js');
    const n = await withQueue(targetOf(argv), argv.queue, retryFailed);
    process.stdout.write(`${n} failed job${n === 1 ? '' : 's'} moved back to waiting\n`);
  },
};

interface CleanArgv extends RedisArgv {
  failed: boolean;
  all: boolean;
}

const cleanCommand: CommandModule<object, CleanArgv> = {
  command: 'clean',
  describe: 'Remove completed jobs (--failed: failed ones too; --all: the whole queue)',
  builder: (y) =>
    y
      .options(redisOptions)
      .option('failed', { type: 'boolean', default: false, describe: 'also remove failed jobs' })
      .option('all', { type: 'boolean', default: false, describe: 'remove the whole queue, waiting and running jobs included' })
      .epilogue('Removed jobs can be submitted again; a worker still skips an input whose output and run summary exist.') as unknown as Argv<CleanArgv>,
  handler: async (argv) => {
    const { cleanQueue, withQueue } = await import('../../queue/status.js');
    const n = await withQueue(targetOf(argv), argv.queue, async (queue) =>
      argv.all ? cleanQueue(queue, 'all') : (await cleanQueue(queue, 'completed')) + (argv.failed ? await cleanQueue(queue, 'failed') : 0),
    );
    process.stdout.write(`${n} job${n === 1 ? '' : 's'} removed from queue "${argv.queue}"\n`);
  },
};

export const queueCommand: CommandModule<object, object> = {
  command: 'queue <command>',
  describe: 'Batch inference on a Redis queue: submit a cohort, watch it, retry failures (see `bundle worker`)',
  builder: (y) => y.command([submitCommand, statusCommand, retryCommand, cleanCommand] as CommandModule<object, any>[]).demandCommand(1, 'Give a queue command: submit, status, retry-failed or clean.'),
  handler: () => undefined,
};
