/**
 * Blending split across threads. onnxruntime runs on the main thread and uses every core while a batch runs,
 * but blending the batch into the accumulator (and dividing the final rows) used one core and left the others
 * idle: 10-15% of a sliding-window run. Here the main thread and `threads - 1` workers each blend their own
 * planes (along the roi's axis 0) of every window into one accumulator in shared memory, and divide their own
 * planes of each final slab. Every voxel still gets the same float32 operations in the same window order, so
 * the result is bit-identical to one thread (tests compare them).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BundleError } from '../errors/index.js';
import { type Slab, SlabStitcher, type StitchGeometry, sumsLength } from './SlabStitcher.js';

/** What the sliding-window loop needs from a blender, one thread or several. */
export interface WindowBlender {
  readonly channels: number;
  /** padded-space row of the accumulator's first open row: rows below it were flushed */
  readonly baseRow: number;
  /** blends a batch `[n, K, ...roi]` whose windows start at `starts` (padded space) */
  add(starts: readonly (readonly number[])[], data: Float32Array): Promise<void>;
  /** the final rows below `boundary` as a slab (see SlabStitcher.flush), valid until the next call */
  flush(boundary: number): Promise<Slab | null>;
  /** the final rows below `boundary` written into the whole output `[K, ...spatialShape]` */
  flushInto(boundary: number, output: Float32Array): Promise<void>;
  /** a zeroed output array the blender can write into from every thread */
  allocate(length: number): Float32Array;
  close(): Promise<void>;
}

/** One thread: the stitcher itself. */
export class SerialBlender implements WindowBlender {
  private readonly stitcher: SlabStitcher;

  constructor(geometry: StitchGeometry, channels: number, weights: Float32Array | null) {
    this.stitcher = new SlabStitcher(geometry, channels, weights);
  }

  get channels(): number {
    return this.stitcher.channels;
  }

  get baseRow(): number {
    return this.stitcher.baseRow;
  }

  async add(starts: readonly (readonly number[])[], data: Float32Array): Promise<void> {
    const windowValues = data.length / starts.length;
    starts.forEach((start, i) => this.stitcher.add(start, data, i * windowValues));
  }

  async flush(boundary: number): Promise<Slab | null> {
    return this.stitcher.flush(boundary);
  }

  async flushInto(boundary: number, output: Float32Array): Promise<void> {
    this.stitcher.flushInto(boundary, output);
  }

  allocate(length: number): Float32Array {
    return new Float32Array(length);
  }

  async close(): Promise<void> {}
}

/** Messages to a stitch worker (stitchWorker.ts): `init` starts a run, the others are its steps. */
export type StitchRequest =
  | { op: 'init'; init: StitchInit }
  | { op: 'add'; base: number; starts: number[][]; data: Float32Array; windowValues: number; from: number; to: number }
  | { op: 'divide'; base: number; x0: number; x1: number; out: Float32Array; channelStride: number; offset: number };

export interface StitchInit {
  geometry: StitchGeometry;
  channels: number;
  weights: Float32Array | null;
  sums: Float32Array;
}

/**
 * Worker threads for one run: started before its first window (so that they boot while it runs) and ended
 * with it. Not pooled between runs: a worker keeps every SharedArrayBuffer it was sent alive until its own
 * garbage collection, which an idle worker never runs, so only ending it frees the run's buffers.
 */
export function acquireBlendWorkers(count: number): StitchWorker[] {
  return Array.from({ length: count }, () => new StitchWorker());
}

export async function releaseBlendWorkers(workers: StitchWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.close()));
}

/** The main thread plus workers over one shared accumulator. */
export class ParallelBlender implements WindowBlender {
  readonly channels: number;
  private readonly stitcher: SlabStitcher;
  private readonly workers: StitchWorker[];
  private readonly geometry: StitchGeometry;
  /** the batch output, copied where the workers can read it */
  private shared?: Float32Array;
  /**
   * the slabs handed on, reused (see inferSlabs: a slab is the caller's only until its callback settles);
   * a fresh shared buffer per slab would stay alive in the workers until the run ends
   */
  private slabScratch?: Float32Array;
  private ready: Promise<void>;
  private started = false;
  /** batches blended by more than one thread (the first ones may run before the workers have started) */
  parallelBatches = 0;
  /** per thread (main first), milliseconds per roi plane blended, smoothed */
  private readonly rates: number[];

  /** `workers` from acquireBlendWorkers, released by the caller after close() */
  constructor(geometry: StitchGeometry, channels: number, weights: Float32Array | null, workers: StitchWorker[]) {
    this.geometry = geometry;
    this.channels = channels;
    this.workers = workers;
    this.rates = Array.from({ length: workers.length + 1 }, () => 1);
    const sums = sharedFloat32(sumsLength(geometry, channels));
    this.stitcher = new SlabStitcher(geometry, channels, weights, sums);
    const init: StitchInit = { geometry, channels, weights, sums };
    // until the workers have started (20-200 ms), the main thread blends alone
    // (if a worker fails to start, the main thread goes on alone)
    this.ready = Promise.all(workers.map((w) => w.request({ op: 'init', init }))).then(
      () => void (this.started = true),
      () => undefined,
    );
  }

  get baseRow(): number {
    return this.stitcher.baseRow;
  }

  async add(starts: readonly (readonly number[])[], data: Float32Array): Promise<void> {
    const windowValues = data.length / starts.length;
    if (!this.started) {
      starts.forEach((start, i) => this.stitcher.add(start, data, i * windowValues));
      return;
    }
    const parts = this.addParts();
    if (parts.length === 1) {
      starts.forEach((start, i) => this.stitcher.add(start, data, i * windowValues));
      return;
    }
    this.parallelBatches++;
    const planeValues = windowValues / this.channels / this.geometry.roiSize[0];
    // only the workers' planes need to be where they can read them
    if (!this.shared || this.shared.length < data.length) this.shared = sharedFloat32(data.length);
    const shared = this.shared.subarray(0, data.length);
    const workersFrom = parts[1][0] * planeValues;
    for (let offset = 0; offset < data.length; offset += windowValues / this.channels) {
      shared.set(data.subarray(offset + workersFrom, offset + windowValues / this.channels), offset + workersFrom);
    }
    const base = this.stitcher.baseRow;
    const copies = starts.map((s) => [...s]);
    const pending = parts.slice(1).map(([from, to], w) => this.workers[w].request({ op: 'add', base, starts: copies, data: shared, windowValues, from, to }));
    const [from, to] = parts[0];
    const t0 = performance.now();
    try {
      starts.forEach((start, i) => this.stitcher.add(start, data, i * windowValues, from, to));
    } finally {
      const times = [performance.now() - t0, ...(await Promise.all(pending))];
      this.learnRates(parts, times);
    }
  }

  /**
   * The roi planes (axis 0) each thread blends: in proportion to how fast each blended before, because
   * threads are not equally fast (the main thread also copies, and cores are shared).
   */
  private addParts(): [number, number][] {
    const planes = this.geometry.roiSize[0];
    const threads = Math.min(this.rates.length, planes);
    const speed = this.rates.slice(0, threads).map((r) => 1 / r);
    const total = speed.reduce((a, b) => a + b, 0);
    const parts: [number, number][] = [];
    let from = 0;
    let cumulative = 0;
    for (let t = 0; t < threads; t++) {
      cumulative += speed[t];
      const to = t === threads - 1 ? planes : Math.min(planes - (threads - 1 - t), Math.max(from + 1, Math.round((planes * cumulative) / total)));
      parts.push([from, to]);
      from = to;
    }
    return parts;
  }

  private learnRates(parts: [number, number][], times: number[]): void {
    parts.forEach(([from, to], t) => {
      const rate = Math.max(times[t], 1e-3) / (to - from);
      this.rates[t] = 0.7 * this.rates[t] + 0.3 * rate;
    });
  }

  async flush(boundary: number): Promise<Slab | null> {
    const rows = this.stitcher.finalRows(boundary);
    let slab: Slab | null = null;
    if (rows) {
      const [x0, x1] = rows;
      const shape = [this.channels, x1 - x0, ...this.geometry.spatialShape.slice(1)];
      const length = shape.reduce((a, b) => a * b, 1);
      if (!this.slabScratch || this.slabScratch.length < length) this.slabScratch = sharedFloat32(length);
      await this.divide(x0, x1, this.slabScratch, length / this.channels, x0);
      slab = { x0, x1, shape, data: this.slabScratch.subarray(0, length) };
    }
    this.stitcher.slide(boundary);
    return slab;
  }

  async flushInto(boundary: number, output: Float32Array): Promise<void> {
    const rows = this.stitcher.finalRows(boundary);
    if (rows) await this.divide(rows[0], rows[1], output, output.length / this.channels, 0);
    this.stitcher.slide(boundary);
  }

  allocate(length: number): Float32Array {
    return sharedFloat32(length);
  }

  /** resolves once the workers take part (or failed to start) */
  whenStarted(): Promise<void> {
    return this.ready;
  }

  async close(): Promise<void> {
    await this.ready;
  }

  /** Divides rows [x0, x1) into `out`, whose row `origin` is at offset 0; planes split across the threads. */
  private async divide(x0: number, x1: number, out: Float32Array, channelStride: number, origin: number): Promise<void> {
    const plane = this.geometry.spatialShape.slice(1).reduce((a, b) => a * b, 1);
    const parts = this.started && out.buffer instanceof SharedArrayBuffer ? split(x0, x1, this.workers.length + 1) : [[x0, x1] as [number, number]];
    const base = this.stitcher.baseRow;
    const pending = parts
      .slice(1)
      .map(([a, b], w) => this.workers[w].request({ op: 'divide', base, x0: a, x1: b, out, channelStride, offset: (a - origin) * plane }));
    const [a, b] = parts[0];
    try {
      this.stitcher.divideInto(a, b, out, channelStride, (a - origin) * plane);
    } finally {
      await Promise.all(pending);
    }
  }
}

/** `[from, to)` in at most `parts` contiguous pieces, none empty. */
function split(from: number, to: number, parts: number): [number, number][] {
  const n = Math.max(1, Math.min(parts, to - from));
  return Array.from({ length: n }, (_, i) => [from + Math.floor(((to - from) * i) / n), from + Math.floor(((to - from) * (i + 1)) / n)]);
}

function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** One worker thread and its one outstanding request. */
export class StitchWorker {
  private readonly worker: Worker;
  private pending?: { resolve: (busyMs: number) => void; reject: (e: unknown) => void };
  private failure?: Error;

  constructor() {
    this.worker = spawn();
    this.worker.on('message', (m: { error?: string; busyMs?: number }) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.error === undefined) p?.resolve(m.busyMs ?? 0);
      else {
        this.failure ??= new Error(m.error);
        p?.reject(new BundleError('internal', `Blending in a worker thread failed: ${m.error}`));
      }
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the blending worker thread exited (code ${code})`)));
  }

  /** resolves with the time the worker spent on it, in milliseconds */
  request(message: StitchRequest): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the blending worker thread was closed');
    await this.worker.terminate();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(this.failure);
  }
}

/**
 * Starts stitchWorker beside this file. From the TypeScript sources (tests, benchmarks under tsx) the worker
 * registers tsx itself: workers do not inherit the main thread's `--import` hooks.
 */
function spawn(): Worker {
  const ext = path.extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./stitchWorker${ext}`, import.meta.url).href;
  const tsx = ext === '.ts' ? import.meta.resolve('tsx/esm/api') : undefined;
  // dynamic imports only: the eval'd code is CommonJS or ESM depending on the process's flags
  const boot = `import('node:worker_threads').then(async ({ workerData: d }) => { if (d.tsx) (await import(d.tsx)).register(); await import(d.entry); });`;
  return new Worker(boot, { eval: true, workerData: { entry, tsx } });
}
