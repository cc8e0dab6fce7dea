/**
 * Engine events and handlers. The names follow MONAI's (ignite's) `Events`, in snake_case as MONAI's configs
 * write them; `inference_progress` is ours (sliding-window progress, from the inferer's `onProgress` hook);
 * `forward_completed` is ignite's IterationEvents.FORWARD_COMPLETED: `state.sample` holds `pred` as the
 * network gave it, before post-processing (or after the leading steps named in `folded`, see Evaluator.ts).
 *
 * Order for a run over N items:
 *   started, epoch_started, (iteration_started, inference_progress*, forward_completed, iteration_completed) x N,
 *   epoch_completed, completed
 * and on a failure: exception_raised (with `error`), after which the error propagates.
 */
import type { Sample } from '../transforms/Transform.js';

export const EVENT_NAMES = [
  'started',
  'epoch_started',
  'iteration_started',
  'inference_progress',
  'forward_completed',
  'iteration_completed',
  'epoch_completed',
  'completed',
  'exception_raised',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/** Wall-clock milliseconds spent per stage of one item. */
export interface StageTimings {
  /** getting the item from the data loader: loading and preprocessing (the Dataset's transform) */
  preprocessing: number;
  /** the inferer (network runs, windowing, stitching, and any post-processing steps folded into it) */
  inference: number;
  postprocessing: number;
  total: number;
}

/** What the engine knows about one finished item. */
export interface ItemRecord {
  /** 1-based position in the run */
  index: number;
  /** the input file(s) of the item (`meta.filename` of its volumes), by sample key */
  inputs: Record<string, string>;
  /** files written while post-processing the item (volumes' `meta.saved_to`), by sample key */
  outputs: Record<string, string>;
  /** names of label values in those outputs that the metadata does not give (volumes' `meta.labelNames`), by sample key */
  labelNames?: Record<string, Record<string, string>>;
  /** prompted label ids (volumes' `meta.promptedLabels`) that have no voxel in those outputs, by sample key */
  emptyPromptedLabels?: Record<string, number[]>;
  timings: StageTimings;
}

export interface EngineState {
  /** items started so far (the current item's 1-based index during an iteration) */
  iteration: number;
  /** number of items the loader will give, when it says so */
  epochLength?: number;
  /** the current item: the preprocessed input, except at forward_completed (with the raw `pred`) and after post-processing (the output) */
  sample?: Sample;
  /** finished items, in order */
  items: ItemRecord[];
  /** `performance.now()` at `started` */
  startTime: number;
  /** milliseconds from `started` to `completed` (set at `completed`) */
  duration?: number;
}

export interface EngineEvent {
  name: EventName;
  state: EngineState;
  /** the error, for `exception_raised` */
  error?: unknown;
  /** windows done / total, for `inference_progress` */
  progress?: { done: number; total: number };
  /**
   * for `forward_completed`: post-processing transforms already applied to `pred` because the evaluator folded
   * them into the inferer (Evaluator.ts), in order; absent when `pred` is the network output as it came
   */
  folded?: string[];
}

/** A handler receives every event and reacts to those it cares about. */
export interface Handler {
  readonly name?: string;
  onEvent(event: EngineEvent): void | Promise<void>;
}

export function isHandler(value: unknown): value is Handler {
  return typeof value === 'object' && value !== null && typeof (value as Handler).onEvent === 'function';
}
