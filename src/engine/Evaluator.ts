/**
 * MONAI's SupervisedEvaluator for inference: iterate the data loader (which applies the preprocessing, as
 * MONAI's Dataset does), run the inferer on the item's `image`, put the result under `pred`, run the
 * post-processing, and tell the handlers at each step (events.ts gives the order).
 *
 * When the inferer can hand its output on in slabs (the sliding window) and post-processing starts with
 * voxel-wise steps on `pred` alone (Activationsd, AsDiscreted: transforms/voxelwise.ts), those steps are
 * folded into the inference (foldedInference.ts): same values, without holding the whole K-channel output.
 * `forward_completed` then carries their names in `folded`. `fold_postprocessing: false` turns this off.
 *
 * Subclasses (the VISTA3D evaluator) override `iteration(sample)`, the per-item forward step, and reuse
 * `runInferer` so that window progress still reaches the handlers; such a subclass sets `fold` to null unless
 * its `iteration` applies the folded steps itself.
 */
import { BundleError } from '../errors/index.js';
import { type InferHooks, type Inferer, isSlabInferer, type Network, type Predictor, type SlabInferer, type Tensor } from '../inference/types.js';
import { type Logger, silentLogger } from '../registry/ComponentEntry.js';
import type { Sample, Transform } from '../transforms/Transform.js';
import { type FoldableHead, foldableHead } from '../transforms/voxelwise.js';
import type { EngineEvent, EngineState, EventName, Handler, ItemRecord } from './events.js';
import { inferFolded } from './foldedInference.js';
import { sampleVolume, tensorToVolume, volumeEmptyPrompts, volumeFiles, volumeLabelNames, volumeToTensor } from './tensors.js';

export type DataLoaderLike = AsyncIterable<Sample> | Iterable<Sample>;

export interface EvaluatorOptions {
  valDataLoader: DataLoaderLike;
  network: Network | Predictor;
  inferer: Inferer;
  postprocessing?: Transform | null;
  valHandlers?: Handler[] | null;
  /** stop after this many items (MONAI's epoch_length); default: the whole loader */
  epochLength?: number | null;
  logger?: Logger;
  /** config id, for error locations */
  id?: string;
  /** fold post-processing's leading voxel-wise steps into a slab-wise inferer (default true) */
  foldPostprocessing?: boolean;
}

export class SupervisedEvaluator {
  readonly name: string = 'SupervisedEvaluator';
  readonly handlers: Handler[];
  protected readonly loader: DataLoaderLike;
  protected readonly network: Network | Predictor;
  protected readonly inferer: Inferer;
  protected readonly postprocessing?: Transform;
  protected readonly epochLength?: number;
  protected readonly logger: Logger;
  protected readonly id?: string;
  /** the sample key the network reads (MONAI's CommonKeys.IMAGE) */
  protected readonly imageKey = 'image';
  /** the sample key the output goes to (MONAI's CommonKeys.PRED) */
  protected readonly predKey = 'pred';
  /** the state of the run in progress, or of the last run */
  state?: EngineState;
  /** post-processing steps folded into the inferer, and the rest; null when nothing is folded */
  protected fold: (FoldableHead & { inferer: SlabInferer }) | null = null;

  constructor(options: EvaluatorOptions) {
    this.loader = options.valDataLoader;
    this.network = options.network;
    this.inferer = options.inferer;
    if (options.postprocessing) this.postprocessing = options.postprocessing;
    this.handlers = [...(options.valHandlers ?? [])];
    if (options.epochLength != null) this.epochLength = options.epochLength;
    this.logger = options.logger ?? silentLogger;
    if (options.id !== undefined) this.id = options.id;
    const head = foldableHead(this.postprocessing, this.predKey);
    if (options.foldPostprocessing !== false && head.steps.length > 0 && isSlabInferer(this.inferer)) this.fold = { ...head, inferer: this.inferer };
  }

  /** Handlers added here hear events after the configured ones; adding the same one twice is a no-op. */
  addHandler(handler: Handler): void {
    if (!this.handlers.includes(handler)) this.handlers.push(handler);
  }

  /**
   * Runs over the loader's items once (one epoch) and returns the final state. `loader` replaces the
   * configured one for this run (the server feeds it the samples of one request, already preprocessed).
   */
  async run(loader: DataLoaderLike = this.loader): Promise<EngineState> {
    const state: EngineState = { iteration: 0, items: [], startTime: performance.now() };
    const length = this.epochLength ?? loaderLength(loader);
    if (length !== undefined) state.epochLength = length;
    this.state = state;
    try {
      await this.fire('started');
      await this.fire('epoch_started');
      const iterator = iterate(loader);
      for (;;) {
        if (this.epochLength !== undefined && state.iteration >= this.epochLength) break;
        const t0 = performance.now();
        state.iteration += 1; // before loading, so that a failure to load names the right item
        state.sample = undefined;
        const next = await iterator.next();
        if (next.done) {
          state.iteration -= 1;
          break;
        }
        const t1 = performance.now();
        state.sample = next.value;
        await this.fire('iteration_started');
        const predicted = await this.iteration(next.value);
        const t2 = performance.now();
        state.sample = predicted;
        await this.fire('forward_completed', this.fold ? { folded: [...this.fold.names] } : {});
        // until post-processing ends the item is the input (a failure there names the input's files)
        state.sample = next.value;
        const post = this.fold ? this.fold.rest : this.postprocessing;
        const output = post ? await post.apply(predicted) : predicted;
        const t3 = performance.now();
        state.sample = output;
        const record: ItemRecord = {
          index: state.iteration,
          inputs: volumeFiles(next.value, 'filename'),
          outputs: volumeFiles(output, 'saved_to'),
          ...labelNamesOf(output),
          ...emptyPromptsOf(output),
          timings: { preprocessing: t1 - t0, inference: t2 - t1, postprocessing: t3 - t2, total: t3 - t0 },
        };
        state.items.push(record);
        await this.fire('iteration_completed');
      }
      await this.fire('epoch_completed');
      state.duration = performance.now() - state.startTime;
      await this.fire('completed');
      return state;
    } catch (error) {
      const wrapped = this.wrapError(error, state);
      await this.fire('exception_raised', { error: wrapped });
      throw wrapped;
    }
  }

  /** The per-item forward step: the preprocessed sample in, the sample with `pred` out. */
  protected async iteration(sample: Sample): Promise<Sample> {
    const image = sampleVolume(sample, this.imageKey);
    if (this.fold) {
      const { inferer, steps } = this.fold;
      const pred = await this.withProgress((hooks) => inferFolded(inferer, volumeToTensor(image), image, this.network, steps, hooks));
      return { ...sample, [this.predKey]: pred };
    }
    const output = await this.runInferer(volumeToTensor(image));
    return { ...sample, [this.predKey]: tensorToVolume(output, image, this.predKey) };
  }

  /** The inferer on one input, with window progress forwarded to the handlers as `inference_progress`. */
  protected async runInferer(input: Tensor, network: Network | Predictor = this.network): Promise<Tensor> {
    return this.withProgress((hooks) => this.inferer.infer(input, network, hooks));
  }

  private async withProgress<T>(run: (hooks: InferHooks) => Promise<T>): Promise<T> {
    const pending: Promise<void>[] = [];
    const output = await run({
      onProgress: (done, total) => {
        pending.push(this.fire('inference_progress', { progress: { done, total } }));
      },
    });
    await Promise.all(pending);
    return output;
  }

  protected async fire(name: EventName, extra: Partial<EngineEvent> = {}): Promise<void> {
    const state = this.state!;
    for (const handler of this.handlers) await handler.onEvent({ name, state, ...extra });
  }

  private wrapError(error: unknown, state: EngineState): unknown {
    if (error instanceof BundleError) return error.withLocation({ ...(this.id !== undefined ? { id: this.id } : {}) });
    if (error instanceof Error && error.name === 'BundleErrorList') return error;
    const message = error instanceof Error ? error.message : String(error);
    return new BundleError('runtime_error', `Item ${state.iteration} failed: ${message.replace(/\.?$/, '.')}`, {
      cause: error,
      location: { ...(this.id !== undefined ? { id: this.id } : {}) },
    });
  }
}

function iterate(loader: DataLoaderLike): AsyncIterator<Sample> | Iterator<Sample> {
  if (loader && typeof (loader as AsyncIterable<Sample>)[Symbol.asyncIterator] === 'function') {
    return (loader as AsyncIterable<Sample>)[Symbol.asyncIterator]();
  }
  if (loader && typeof (loader as Iterable<Sample>)[Symbol.iterator] === 'function') {
    return (loader as Iterable<Sample>)[Symbol.iterator]();
  }
  throw new BundleError('invalid_arguments', 'The evaluator\'s "val_data_loader" cannot be iterated.', {
    hint: 'pass a DataLoader, e.g. "val_data_loader": "@dataloader"',
    location: { path: '/val_data_loader' },
  });
}

/** The number of items a loader will give, if it tells (a `length` or `size`, or its dataset's). */
function loaderLength(loader: DataLoaderLike): number | undefined {
  const candidates = [loader, (loader as { dataset?: unknown }).dataset];
  for (const c of candidates) {
    if (c === null || typeof c !== 'object') continue;
    for (const field of ['length', 'size']) {
      const v = (c as Record<string, unknown>)[field];
      const n = typeof v === 'function' ? undefined : v;
      if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
    }
  }
  return undefined;
}

/** The record's `emptyPromptedLabels` field, present only when a prompted label came out empty. */
function emptyPromptsOf(output: Sample): Pick<ItemRecord, 'emptyPromptedLabels'> {
  const empty = volumeEmptyPrompts(output);
  return Object.keys(empty).length ? { emptyPromptedLabels: empty } : {};
}

/** The record's `labelNames` field, present only when some output volume names its labels. */
function labelNamesOf(output: Sample): Pick<ItemRecord, 'labelNames'> {
  const names = volumeLabelNames(output);
  return Object.keys(names).length ? { labelNames: names } : {};
}
