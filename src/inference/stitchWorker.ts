/**
 * A blending worker thread (parallelStitch.ts): blends its planes of each window into the shared
 * accumulator and divides its planes of each final slab, with the same SlabStitcher code as the main thread.
 */
import { parentPort } from 'node:worker_threads';
import type { StitchRequest } from './parallelStitch.js';
import { SlabStitcher } from './SlabStitcher.js';

let stitcher: SlabStitcher | undefined;

parentPort!.on('message', (m: StitchRequest) => {
  const t0 = performance.now();
  try {
    if (m.op === 'init') {
      const { geometry, channels, weights, sums } = m.init;
      stitcher = new SlabStitcher(geometry, channels, weights, sums);
      parentPort!.postMessage({});
      return;
    }
    const s = stitcher;
    if (!s) throw new Error(`"${m.op}" before "init"`);
    s.followBase(m.base);
    if (m.op === 'add') m.starts.forEach((start, i) => s.add(start, m.data, i * m.windowValues, m.from, m.to));
    else s.divideInto(m.x0, m.x1, m.out, m.channelStride, m.offset);
    parentPort!.postMessage({ busyMs: performance.now() - t0 });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
