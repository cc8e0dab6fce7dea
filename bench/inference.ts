/**
 * Sliding-window inference on a 512x512x128 volume with a 3-layer 3-D conv network (1->8->8->2 channels,
 * 3x3x3, ReLU) at roi 96^3, overlap 0.25, once into a whole output and once slab by slab (arg-max per slab, as
 * VISTA3D's everything mode does): total time, time inside the network (onnxruntime), the rest (the
 * interpreter's windowing, copying and stitching), and peak memory against what the input, the output and one
 * batch of windows need; each with blending on one thread and on the default ('auto': the main thread plus
 * workers, parallelStitch.ts). Each case runs in a child process so that its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnnxNetwork } from '../src/inference/OnnxNetwork.js';
import { GraphBuilder } from '../src/inference/onnx/build.js';
import { bufferRows, SlidingWindowInferer } from '../src/inference/SlidingWindowInferer.js';
import type { Predictor, Tensor } from '../src/inference/types.js';

const SHAPE = [512, 512, 128];
const ROI = [96, 96, 96];
const CHANNELS = [1, 8, 8, 2];
const MiB = 1024 * 1024;

interface CaseResult {
  name: string;
  windows: number;
  totalMs: number;
  networkMs: number;
  peakMiB: number;
  /** onnxruntime's working memory after one window, not counted in peakMiB */
  ortMiB: number;
  /** the stitching accumulator: the open rows along axis 0 */
  accumulatorMiB: number;
  neededMiB: number;
}

function convNet(file: string): void {
  const g = new GraphBuilder('conv3');
  g.input('image', 'float32', [null, 1, null, null, null]);
  let x = 'image';
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.2;
  for (let layer = 0; layer < 3; layer++) {
    const [cin, cout] = [CHANNELS[layer], CHANNELS[layer + 1]];
    const w = g.initializer(`w${layer}`, Float32Array.from({ length: cout * cin * 27 }, random), [cout, cin, 3, 3, 3]);
    const b = g.initializer(`b${layer}`, Float32Array.from({ length: cout }, random), [cout]);
    const [y] = g.node('Conv', [x, w, b], [`conv${layer}`], { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] });
    x = layer < 2 ? g.node('Relu', [y], [`relu${layer}`])[0] : y;
  }
  g.output(x, 'float32', [null, 2, null, null, null]);
  writeFileSync(file, g.toModel({ opset: 17 }));
}

/** Runs in the child: one case, its figures as JSON on stdout. */
async function child(modelFile: string, mode: 'whole' | 'slabs', blendThreads: number | 'auto'): Promise<void> {
  const network = new OnnxNetwork({ path: modelFile });
  await network.load();
  // one window first, so that onnxruntime's own working memory (its arena, kept between runs) is measured
  // apart from the interpreter's
  const loaded = process.memoryUsage().rss;
  const window = new Float32Array(ROI.reduce((a, b) => a * b, 1));
  await network.run({ image: { type: 'float32', dims: [1, 1, ...ROI], data: window } });
  const baseline = process.memoryUsage().rss;
  const voxels = SHAPE.reduce((a, b) => a * b, 1);
  const data = new Float32Array(voxels);
  for (let i = 0; i < voxels; i++) data[i] = Math.sin(i * 0.001);
  const input: Tensor = { type: 'float32', dims: [1, 1, ...SHAPE], data };
  let networkMs = 0;
  const predictor: Predictor = async (batch) => {
    const t0 = performance.now();
    const out = (await network.run({ image: batch }))[network.outputNames[0]];
    networkMs += performance.now() - t0;
    return out;
  };
  // the kernel's high-water mark: onnxruntime runs on this thread, so a sampling timer would miss its peaks
  const peakRss = () => process.resourceUsage().maxRSS * 1024;
  // the whole-output case blends with gaussian weights; the slab case uses VISTA3D's settings (constant)
  const inferer = new SlidingWindowInferer({ roiSize: ROI, overlap: 0.25, mode: mode === 'whole' ? 'gaussian' : 'constant', blendThreads });
  const t0 = performance.now();
  const outChannels = CHANNELS[3];
  let outputBytes: number;
  if (mode === 'whole') {
    const out = await inferer.infer(input, predictor);
    outputBytes = out.data.byteLength;
  } else {
    // the VISTA everything-mode pattern: arg-max per slab into a uint8 label map; [K, X, Y, Z] never exists
    const labels = new Uint8Array(voxels);
    await inferer.inferSlabs(input, predictor, (slab) => {
      const n = slab.data.length / outChannels;
      const offset = slab.x0 * SHAPE[1] * SHAPE[2];
      for (let i = 0; i < n; i++) labels[offset + i] = slab.data[n + i] > slab.data[i] ? 1 : 0;
    });
    outputBytes = labels.byteLength;
  }
  const totalMs = performance.now() - t0;
  const windowBytes = ROI.reduce((a, b) => a * b, 1) * 4 * (CHANNELS[0] + outChannels);
  const result: CaseResult = {
    name: `${mode === 'whole' ? 'infer(), gaussian: [2, X, Y, Z] float32' : 'inferSlabs(), constant: arg-max per slab, uint8'}, blend threads ${blendThreads}`,
    windows: inferer.plan(SHAPE).numWindows,
    totalMs,
    networkMs,
    peakMiB: (peakRss() - baseline) / MiB,
    ortMiB: (baseline - loaded) / MiB,
    accumulatorMiB: (4 * outChannels * bufferRows(inferer.plan(SHAPE), 1) * SHAPE[1] * SHAPE[2]) / MiB,
    neededMiB: (data.byteLength + outputBytes + windowBytes) / MiB,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-inference-'));
  try {
    const model = path.join(dir, 'conv3.onnx');
    convNet(model);
    const self = fileURLToPath(import.meta.url);
    const rows: CaseResult[] = [];
    // blend threads 1 is the one-thread blending before parallelStitch.ts; 'auto' the default
    for (const [mode, threads] of [['whole', '1'], ['whole', 'auto'], ['slabs', '1'], ['slabs', 'auto']]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', model, mode, threads], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`benchmark child failed: ${r.stderr}`);
      rows.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as CaseResult);
    }
    console.log(`volume ${SHAPE.join('x')}, network ${CHANNELS.join('->')} (3x3x3 conv, ReLU), roi ${ROI.join('x')}, overlap 0.25, sw_batch_size 1`);
    console.table(
      rows.map((r) => ({
        case: r.name,
        windows: r.windows,
        'total s': +(r.totalMs / 1000).toFixed(2),
        'onnxruntime s': +(r.networkMs / 1000).toFixed(2),
        'overhead s': +((r.totalMs - r.networkMs) / 1000).toFixed(2),
        'overhead %': +((100 * (r.totalMs - r.networkMs)) / r.totalMs).toFixed(1),
        'onnxruntime working MiB': Math.round(r.ortMiB),
        'peak MiB (RSS above that)': Math.round(r.peakMiB),
        'needed MiB (input+output+1 batch)': Math.round(r.neededMiB),
        'peak / needed': +(r.peakMiB / r.neededMiB).toFixed(2),
        'accumulator MiB (part of peak)': Math.round(r.accumulatorMiB),
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const threads = process.argv[5] === 'auto' ? 'auto' : Number(process.argv[5]);
  await child(process.argv[3], process.argv[4] as 'whole' | 'slabs', threads);
}
