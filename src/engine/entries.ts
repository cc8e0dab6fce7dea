/**
 * The engine layer's registry entries: SupervisedEvaluator and the handlers. MONAI arguments that have no
 * meaning here (devices, mixed precision, batch decollation: we run one item at a time on the CPU through
 * onnxruntime) are accepted and ignored, so that ported configs keep them; they are listed in `IGNORED`.
 */
import { BundleError } from '../errors/index.js';
import type { Inferer, Network, Predictor } from '../inference/types.js';
import type { ComponentEntry, JsonSchema } from '../registry/ComponentEntry.js';
import { isTransform, type Transform } from '../transforms/Transform.js';
import { type DataLoaderLike, SupervisedEvaluator } from './Evaluator.js';
import { type Handler, isHandler } from './events.js';
import { ProgressHandler } from './handlers/ProgressHandler.js';
import { RunSummaryHandler } from './handlers/RunSummaryHandler.js';
import { StatsHandler } from './handlers/StatsHandler.js';

const IGNORED = ['device', 'amp', 'amp_kwargs', 'non_blocking', 'decollate', 'mode', 'to_kwargs', 'compile', 'compile_kwargs'];

const anything: JsonSchema = {};

/** The arguments every evaluator takes; VISTA3D's evaluator extends this schema. */
export const evaluatorProperties: Record<string, JsonSchema> = {
  val_data_loader: { ...anything, description: 'the data loader (or dataset) giving the preprocessed items' },
  network: { ...anything, description: 'the network (e.g. an OnnxNetwork)' },
  inferer: { ...anything, description: 'the inferer that runs the network over the image (SimpleInferer, SlidingWindowInferer)' },
  postprocessing: { ...anything, description: 'transform applied to each item after inference (e.g. a Compose ending in SaveImaged)' },
  val_handlers: { type: ['array', 'null'], description: 'event handlers (StatsHandler, ...)' },
  epoch_length: { type: ['integer', 'null'], minimum: 0, description: 'stop after this many items' },
  fold_postprocessing: {
    type: 'boolean',
    default: true,
    description:
      'our extension: apply post-processing\'s leading voxel-wise steps on "pred" (Activationsd, AsDiscreted) to each finished slab of a sliding-window output, so that the whole many-channel output is never held; same values',
  },
  ...Object.fromEntries(IGNORED.map((k) => [k, { description: 'accepted for MONAI compatibility and ignored' }])),
};

export const evaluatorSchema: JsonSchema = {
  type: 'object',
  properties: evaluatorProperties,
  required: ['val_data_loader', 'network', 'inferer'],
  additionalProperties: false,
};

export interface EvaluatorArgs {
  val_data_loader: DataLoaderLike;
  network: Network | Predictor;
  inferer: Inferer;
  postprocessing?: Transform | null;
  val_handlers?: unknown[] | null;
  epoch_length?: number | null;
  fold_postprocessing?: boolean;
}

/** Checks the component-typed arguments JSON Schema cannot see; shared with subclasses' entries. */
export function evaluatorOptions(args: EvaluatorArgs, id: string) {
  const fail = (argument: string, what: string) =>
    new BundleError('invalid_arguments', `The evaluator's "${argument}" must be ${what}.`, { location: { id, path: `/${argument}` } });
  const net = args.network as unknown;
  if (typeof net !== 'function' && !(net && typeof (net as Network).run === 'function')) throw fail('network', 'a network component (e.g. OnnxNetwork)');
  if (!args.inferer || typeof (args.inferer as Inferer).infer !== 'function') throw fail('inferer', 'an inferer (SimpleInferer, SlidingWindowInferer, ...)');
  if (args.postprocessing != null && !isTransform(args.postprocessing)) throw fail('postprocessing', 'a transform (e.g. a Compose)');
  const handlers = (args.val_handlers ?? []).filter((h) => h !== null);
  handlers.forEach((h, i) => {
    if (!isHandler(h)) throw fail(`val_handlers/${i}`, 'a handler (e.g. StatsHandler)');
  });
  return {
    valDataLoader: args.val_data_loader,
    network: args.network,
    inferer: args.inferer,
    postprocessing: args.postprocessing ?? null,
    valHandlers: handlers as Handler[],
    epochLength: args.epoch_length ?? null,
    foldPostprocessing: args.fold_postprocessing ?? true,
    id,
  };
}

export const supervisedEvaluatorEntry: ComponentEntry<EvaluatorArgs, SupervisedEvaluator> = {
  name: 'SupervisedEvaluator',
  aliases: ['monai.engines.SupervisedEvaluator', 'monai.engines.evaluator.SupervisedEvaluator'],
  description: 'Runs the inferer over every item of a data loader, then the post-processing, with event handlers',
  argsSchema: evaluatorSchema,
  create: (args, context) => new SupervisedEvaluator({ ...evaluatorOptions(args, context.id), logger: context.logger }),
};

export const statsHandlerEntry: ComponentEntry<{ iteration_log?: boolean; epoch_log?: boolean; name?: string | null }, StatsHandler> = {
  name: 'StatsHandler',
  aliases: ['monai.handlers.StatsHandler', 'monai.handlers.stats_handler.StatsHandler'],
  description: 'Logs each finished item and the end of the run',
  argsSchema: {
    type: 'object',
    properties: {
      iteration_log: { type: 'boolean', default: true, description: 'log each finished item' },
      epoch_log: { type: 'boolean', default: true, description: 'log the end of the run' },
      name: { type: ['string', 'null'], description: 'prefix of the log lines' },
      tag_name: { description: 'accepted for MONAI compatibility and ignored' },
      output_transform: { description: 'accepted for MONAI compatibility and ignored' },
    },
    additionalProperties: false,
  },
  create: (args, context) =>
    new StatsHandler({
      iterationLog: args.iteration_log ?? true,
      epochLog: args.epoch_log ?? true,
      ...(args.name ? { tag: args.name } : {}),
      logger: context.logger,
    }),
};

export const progressHandlerEntry: ComponentEntry<{ interval?: number }, ProgressHandler> = {
  name: 'ProgressHandler',
  description: 'Shows progress on stderr: a bar with ETA on a terminal, periodic lines otherwise (bundle run adds one unless --quiet)',
  argsSchema: {
    type: 'object',
    properties: { interval: { type: 'number', minimum: 0, default: 5, description: 'seconds between plain progress lines' } },
    additionalProperties: false,
  },
  create: (args) => new ProgressHandler({ intervalMs: (args.interval ?? 5) * 1000 }),
};

export const runSummaryHandlerEntry: ComponentEntry<{ output_dir?: string | null; path?: string | null }, RunSummaryHandler> = {
  name: 'RunSummaryHandler',
  description: 'Writes run_summary.json (inputs, outputs, timings, versions) when the run ends (bundle run adds one)',
  argsSchema: {
    type: 'object',
    properties: {
      output_dir: { type: ['string', 'null'], description: 'the summary goes to <output_dir>/run_summary.json' },
      path: { type: ['string', 'null'], description: 'the summary file (wins over output_dir)' },
    },
    additionalProperties: false,
  },
  create: (args, context) => new RunSummaryHandler({ path: args.path ?? null, outputDir: args.output_dir ?? null, logger: context.logger }),
};

export const engineEntries: ComponentEntry[] = [supervisedEvaluatorEntry, statsHandlerEntry, progressHandlerEntry, runSummaryHandlerEntry];
