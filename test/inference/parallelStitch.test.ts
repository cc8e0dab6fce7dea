import { expect } from 'chai';
import { acquireBlendWorkers, ParallelBlender, releaseBlendWorkers, SerialBlender } from '../../src/inference/parallelStitch.js';
import { bufferRows } from '../../src/inference/SlidingWindowInferer.js';
import { importanceMap, planWindows, windowStart } from '../../src/inference/windows.js';

/**
 * Runs every window of a plan through a blender with a deterministic fake network; returns the whole output
 * and the slabs (copied, as a caller must) of a second pass through `flush`.
 */
async function blendAll(blender: () => SerialBlender | ParallelBlender, plan: ReturnType<typeof planWindows>, channels: number): Promise<{ whole: number[]; slabs: number[][] }> {
  const windowSize = plan.roiSize.reduce((a, b) => a * b, 1);
  const result = { whole: [] as number[], slabs: [] as number[][] };
  for (const mode of ['whole', 'slabs']) {
    const b = blender();
    if (b instanceof ParallelBlender) await b.whenStarted();
    const out = b.allocate(channels * plan.spatialShape.reduce((a, c) => a * c, 1));
    for (let i = 0; i < plan.numWindows; i++) {
      const data = Float32Array.from({ length: channels * windowSize }, (_, j) => Math.sin(i * 7919 + j * 0.37));
      await b.add([windowStart(plan, i)], data);
      const boundary = i + 1 < plan.numWindows ? windowStart(plan, i + 1)[0] : plan.paddedShape[0];
      if (mode === 'whole') await b.flushInto(boundary, out);
      else {
        const slab = await b.flush(boundary);
        if (slab) result.slabs.push([slab.x0, slab.x1, ...slab.data]);
      }
    }
    await b.close();
    if (b instanceof ParallelBlender) expect(b.parallelBatches).to.equal(plan.numWindows);
    if (mode === 'whole') result.whole = Array.from(out);
  }
  return result;
}

describe('inference/parallelStitch', () => {
  for (const threads of [2, 3]) {
    it(`${threads} threads blend and divide bit for bit as one does (whole output and slabs, gaussian, padded borders)`, async () => {
      const plan = planWindows([40, 23, 17], [16, 12, 10], 0.4);
      const geometry = { spatialShape: plan.spatialShape, paddedShape: plan.paddedShape, padLow: plan.pad.map((p) => p[0]), roiSize: plan.roiSize, capacity: bufferRows(plan, 1), startsPerAxis: plan.startsPerAxis };
      const weights = importanceMap(plan.roiSize, 'gaussian', 0.125);
      const serial = await blendAll(() => new SerialBlender(geometry, 3, weights), plan, 3);
      const workers = acquireBlendWorkers(threads - 1);
      try {
        const parallel = await blendAll(() => new ParallelBlender(geometry, 3, weights, workers), plan, 3);
        expect(parallel.whole).to.deep.equal(serial.whole);
        expect(parallel.slabs.length).to.be.greaterThan(2);
        expect(parallel.slabs).to.deep.equal(serial.slabs);
      } finally {
        await releaseBlendWorkers(workers);
      }
    });
  }
});
