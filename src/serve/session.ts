/**
 * A bundle loaded once for serving: config, metadata, evaluator and network sessions stay warm, and every
 * request runs through the evaluator `bundle run` uses (SupervisedEvaluator.run with the request's sample
 * as its loader), with the same post-processing, so the file the bundle's SaveImaged writes is the one
 * `bundle run` writes for the same inputs.
 *
 * The seam for reuse across clicks is the dataset's transform: its transforms that touch volumes (loading,
 * resampling, cropping, scaling) run once per image and their sample is kept; those marked `volumeFree`
 * (VistaPreTransformd: prompt names to ids, subclasses) run again on every request, as in a fresh run.
 */
import { BundleError } from '../errors/index.js';
import { loadConfig, type BundleConfig, type ComponentFactory } from '../config/index.js';
import { SupervisedEvaluator } from '../engine/Evaluator.js';
import type { EngineEvent, ItemRecord } from '../engine/events.js';
import { engineFunctions } from '../engine/functions.js';
import { channelDefOf } from '../engine/labelSummary.js';
import type { Override } from '../engine/runBundle.js';
import { isVolume, type Volume } from '../image/Volume.js';
import type { Logger } from '../registry/ComponentEntry.js';
import { Compose } from '../transforms/Compose.js';
import type { Sample, Transform } from '../transforms/Transform.js';
import { Vista3dEvaluator } from '../apps/vista3d/Vista3dEvaluator.js';
import { ARGMAX_DONE } from '../apps/vista3d/VistaPostTransformd.js';

export type ServeMode = 'prompt' | 'run';

export interface SessionOptions {
  configFiles: string[];
  metaFiles?: string[];
  overrides: Override[];
  registry: ComponentFactory;
  /** where the bundle's SaveImaged writes (the config's output_dir is set to it) */
  workDir: string;
  logger: Logger;
  allowOutsideBundleRoot?: boolean;
  expressionTimeoutMs?: number;
  expressionMaxDepth?: number;
}

export interface Prompts {
  label_prompt?: number[];
  points?: number[][];
  point_labels?: number[];
}

export interface InferOutcome {
  /** the file the bundle's post-processing wrote */
  outputFile: string;
  /** the network's output before post-processing, when it can seed a later click (one channel of logits) */
  logits: Volume | null;
  /** names the run gave labels the metadata does not (an object from clicks, a zero-shot class) */
  labelNames: Record<string, string>;
  timings: { inference: number; postprocessing: number };
}

export class BundleSession {
  readonly mode: ServeMode;
  readonly name: string;
  readonly channelDef: Record<string, string>;
  private readonly volumePart: Transform[];
  private readonly requestPart: Transform[];
  private forward: Sample | undefined;

  private constructor(
    readonly config: BundleConfig,
    private readonly evaluator: SupervisedEvaluator,
    transform: Transform | null,
  ) {
    this.mode = evaluator instanceof Vista3dEvaluator ? 'prompt' : 'run';
    const meta = (config.has('_meta_') ? config.raw('_meta_') : {}) as Record<string, unknown>;
    this.name = typeof meta.name === 'string' ? meta.name : 'bundle';
    this.channelDef = channelDefOf(meta) ?? {};
    const steps = transform instanceof Compose ? transform.transforms : transform ? [transform] : [];
    this.volumePart = steps.filter((t) => !t.volumeFree);
    this.requestPart = steps.filter((t) => t.volumeFree);
    evaluator.addHandler({ name: 'serve', onEvent: (event: EngineEvent) => this.onEvent(event) });
  }

  static async load(options: SessionOptions): Promise<BundleSession> {
    // the usual MONAI item SaveImaged reads; a bundle that writes elsewhere still works (outputs are moved)
    const overrides = [...options.overrides, { id: 'output_dir', value: options.workDir, origin: { source: 'cli' as const, detail: 'bundle serve' } }];
    const config = await loadConfig({
      configFiles: options.configFiles,
      ...(options.metaFiles ? { metaFiles: options.metaFiles } : {}),
      overrides,
      registry: options.registry,
      functions: engineFunctions(),
      logger: options.logger,
      allowOutsideBundleRoot: options.allowOutsideBundleRoot ?? false,
      ...(options.expressionTimeoutMs !== undefined ? { expressionTimeoutMs: options.expressionTimeoutMs } : {}),
      ...(options.expressionMaxDepth !== undefined ? { expressionMaxDepth: options.expressionMaxDepth } : {}),
    });
    if (!config.has('evaluator')) {
      throw new BundleError('missing_property', 'The bundle has no "evaluator": bundle serve runs requests through it.', {
        hint: 'serve an inference bundle whose run section runs "$$run(@evaluator)"',
        location: { id: 'evaluator' },
      });
    }
    const evaluator = await config.resolve('evaluator');
    if (!(evaluator instanceof SupervisedEvaluator)) {
      throw new BundleError('invalid_arguments', '"evaluator" is not an evaluator (a SupervisedEvaluator or Vista3dEvaluator).', { location: { id: 'evaluator' } });
    }
    return new BundleSession(config, evaluator, await datasetTransform(config));
  }

  /** Loading and preprocessing of one image: the volume part of the dataset's transform. */
  async preprocess(imagePath: string, imageKey = 'image'): Promise<Sample> {
    let sample: Sample = { [imageKey]: imagePath };
    for (const t of this.volumePart) sample = await t.apply(sample);
    return sample;
  }

  /** One request on a preprocessed sample, through the evaluator and the bundle's post-processing. */
  async infer(preprocessed: Sample, prompts: Prompts, prevMask: Volume | null): Promise<InferOutcome> {
    let sample: Sample = { ...preprocessed, ...prompts };
    for (const t of this.requestPart) sample = await t.apply(sample);
    if (prevMask) sample.prev_mask = prevMask;
    this.forward = undefined;
    const state = await this.evaluator.run([sample]);
    const record = state.items[0] as ItemRecord | undefined;
    const outputFile = record ? Object.values(record.outputs)[0] : undefined;
    if (!record || !outputFile) {
      throw new BundleError('runtime_error', 'The bundle wrote no output file for the request.', {
        hint: "bundle serve returns the file the bundle's SaveImaged writes (savepath_in_metadict must not be false)",
      });
    }
    const pred = (this.forward as Sample | undefined)?.pred;
    this.forward = undefined;
    const logits = isVolume(pred) && pred.shape[0] === 1 && !pred.meta[ARGMAX_DONE] ? pred : null;
    return {
      outputFile,
      logits,
      labelNames: Object.values(record.labelNames ?? {})[0] ?? {},
      timings: { inference: record.timings.inference, postprocessing: record.timings.postprocessing },
    };
  }

  private onEvent(event: EngineEvent): void {
    // a pred with post-processing folded in (an arg-max, a threshold) is no longer logits
    if (event.name === 'forward_completed') this.forward = event.folded?.length ? undefined : event.state.sample;
  }
}

/** The transform of the config's dataset (or of its data loader's dataset): what turns a data item into a sample. */
async function datasetTransform(config: BundleConfig): Promise<Transform | null> {
  const dataset = config.has('dataset')
    ? await config.resolve('dataset')
    : config.has('dataloader')
      ? ((await config.resolve('dataloader')) as { dataset?: unknown }).dataset
      : null;
  const transform = (dataset as { transform?: unknown } | null)?.transform ?? null;
  return transform as Transform | null;
}
