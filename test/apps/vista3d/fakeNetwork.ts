/**
 * Tiny VISTA3D graphs with the section-8 contract whose outputs can be worked out by hand (patch P = 16,
 * one feature channel):
 * - encoder: feat_point = feat_auto = image (three-graph export), or down0 = image with decoders passing it on
 *   as feat_point and class_features (five-graph export, `split`);
 * - class head: logit_k(v) = 0.004 - |v - id_k / 200|, i.e. class id k lights up where the image value is
 *   within 0.004 of id_k / 200;
 * - point head: logit(x) = sum over clicks of s_n · max(r² - |x - c_n|², 0) - 0.5, with s = +1 for labels 1/3,
 *   -1 for 0/2, 0 for -1, and r² = 9 (r = 3), or 25 (r = 5) for zero-shot prompts. So a positive click paints a
 *   ball of radius just under 3 (5 zero-shot) around itself in patch-local coordinates.
 * Each graph runs in onnxruntime-node through a minimal Network wrapper that counts its calls.
 */
import { GraphBuilder } from '../../../src/inference/onnx/build.js';
import { loadOrt } from '../../../src/inference/OnnxSession.js';
import type { Network, Tensor } from '../../../src/inference/types.js';
import { Vista3dNetwork } from '../../../src/apps/vista3d/network.js';

export const P = 16;

export function encoderModel(): Uint8Array {
  const g = new GraphBuilder('encoder');
  g.input('image', 'float32', ['b', 1, P, P, P]);
  g.node('Identity', ['image'], ['feat_point']);
  g.node('Identity', ['image'], ['feat_auto']);
  g.output('feat_point', 'float32', ['b', 1, P, P, P]);
  g.output('feat_auto', 'float32', ['b', 1, P, P, P]);
  return g.toModel({ opset: 17 });
}

/** The five-graph contract's decoders for the fake: `down0` (the image) passed on as `output`. */
export function decoderModel(output: 'feat_point' | 'class_features'): Uint8Array {
  const g = new GraphBuilder(`${output}_decoder`);
  g.input('down0', 'float32', ['b', 1, P, P, P]);
  g.node('Identity', ['down0'], [output]);
  g.output(output, 'float32', ['b', 1, P, P, P]);
  return g.toModel({ opset: 17 });
}

function splitEncoderModel(): Uint8Array {
  const g = new GraphBuilder('encoder');
  g.input('image', 'float32', ['b', 1, P, P, P]);
  g.node('Identity', ['image'], ['down0']);
  g.output('down0', 'float32', ['b', 1, P, P, P]);
  return g.toModel({ opset: 17 });
}

/** `input` is feat_auto for the three-graph contract, class_features for the five-graph one. */
export function classHeadModel(input = 'feat_auto'): Uint8Array {
  const g = new GraphBuilder('class_head');
  g.input(input, 'float32', [1, 1, P, P, P]);
  g.input('class_ids', 'int64', ['K', 1]);
  g.constant('div', 'float32', [], [200]);
  g.constant('shape', 'int64', [5], [1, -1, 1, 1, 1]);
  g.constant('margin', 'float32', [], [0.004]);
  g.node('Cast', ['class_ids'], ['ids_f'], { to: 1 });
  g.node('Div', ['ids_f', 'div'], ['centre']);
  g.node('Reshape', ['centre', 'shape'], ['centre5']);
  g.node('Sub', [input, 'centre5'], ['d']);
  g.node('Abs', ['d'], ['ad']);
  g.node('Sub', ['margin', 'ad'], ['logits']);
  g.output('logits', 'float32', [1, 'K', P, P, P]);
  return g.toModel({ opset: 17 });
}

export function pointHeadModel(): Uint8Array {
  const g = new GraphBuilder('point_head');
  g.input('feat_point', 'float32', [1, 1, P, P, P]);
  g.input('coords', 'float32', ['K', 'N', 3]);
  g.input('labels', 'int64', ['K', 'N']);
  g.input('zeroshot', 'bool', ['K']);
  const grid = new Float32Array(P * P * P * 3);
  for (let i = 0; i < P * P * P; i++) {
    grid[3 * i] = Math.floor(i / (P * P));
    grid[3 * i + 1] = Math.floor(i / P) % P;
    grid[3 * i + 2] = i % P;
  }
  g.initializer('grid', grid, [1, 1, P * P * P, 3]);
  g.constant('ax2', 'int64', [1], [2]);
  g.constant('axLast', 'int64', [1], [-1]);
  g.constant('ax1', 'int64', [1], [1]);
  g.constant('axes12', 'int64', [2], [1, 2]);
  g.constant('one', 'float32', [], [1]);
  g.constant('zero', 'float32', [], [0]);
  g.constant('two', 'float32', [], [2]);
  g.constant('three', 'float32', [], [3]);
  g.constant('nine', 'float32', [], [9]);
  g.constant('sixteen', 'float32', [], [16]);
  g.constant('half', 'float32', [], [0.5]);
  g.constant('outShape', 'int64', [5], [1, -1, P, P, P]);
  g.node('Unsqueeze', ['coords', 'ax2'], ['c4']); // [K, N, 1, 3]
  g.node('Sub', ['grid', 'c4'], ['diff']); // [K, N, P³, 3]
  g.node('Mul', ['diff', 'diff'], ['sq']);
  g.node('ReduceSum', ['sq', 'axLast'], ['d2'], { keepdims: 0 }); // [K, N, P³]
  g.node('Cast', ['zeroshot'], ['zs'], { to: 1 });
  g.node('Mul', ['zs', 'sixteen'], ['zs16']);
  g.node('Add', ['zs16', 'nine'], ['r2']); // [K]
  g.node('Unsqueeze', ['r2', 'axes12'], ['r2k']); // [K, 1, 1]
  g.node('Sub', ['r2k', 'd2'], ['inner']);
  g.node('Relu', ['inner'], ['ball']);
  g.node('Cast', ['labels'], ['lf'], { to: 1 });
  g.node('Equal', ['lf', 'one'], ['is1']);
  g.node('Equal', ['lf', 'three'], ['is3']);
  g.node('Or', ['is1', 'is3'], ['pos']);
  g.node('Equal', ['lf', 'zero'], ['is0']);
  g.node('Equal', ['lf', 'two'], ['is2']);
  g.node('Or', ['is0', 'is2'], ['neg']);
  g.node('Cast', ['pos'], ['posf'], { to: 1 });
  g.node('Cast', ['neg'], ['negf'], { to: 1 });
  g.node('Sub', ['posf', 'negf'], ['sign']); // [K, N]
  g.node('Unsqueeze', ['sign', 'axLast'], ['sign3']); // [K, N, 1]
  g.node('Mul', ['ball', 'sign3'], ['weighted']);
  g.node('ReduceSum', ['weighted', 'ax1'], ['summed'], { keepdims: 0 }); // [K, P³]
  g.node('Sub', ['summed', 'half'], ['flat']);
  g.node('Reshape', ['flat', 'outShape'], ['logits']);
  g.output('logits', 'float32', [1, 'K', P, P, P]);
  return g.toModel({ opset: 17 });
}

/** A Network over one ORT session that records how often it ran. */
export class CountingSession implements Network {
  readonly name: string;
  inputNames: string[] = [];
  outputNames: string[] = [];
  calls = 0;
  feeds: Array<Record<string, Tensor>> = [];
  private session: any;
  private readonly bytes: Uint8Array;

  constructor(name: string, bytes: Uint8Array) {
    this.name = name;
    this.bytes = bytes;
  }

  async load(): Promise<void> {
    if (this.session) return;
    const ort = await loadOrt(); // the product's loader: onnxruntime's native log at the product's level
    this.session = await ort.InferenceSession.create(this.bytes);
    this.inputNames = [...this.session.inputNames];
    this.outputNames = [...this.session.outputNames];
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    await this.load();
    const ort = await loadOrt(); // the product's loader: onnxruntime's native log at the product's level
    this.calls++;
    this.feeds.push(feeds);
    const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [name, t] of Object.entries(feeds)) {
      ortFeeds[name] = t.type === 'bool' ? new ort.Tensor('bool', t.data as Uint8Array, t.dims) : new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    }
    const results = await this.session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(results) as Array<[string, any]>) out[name] = { type: t.type, dims: [...t.dims], data: t.data };
    return out;
  }
}

export interface FakeVista {
  network: Vista3dNetwork;
  encoder: CountingSession;
  classHead: CountingSession;
  pointHead: CountingSession;
  /** the decoders of the five-graph contract (`split`), else null */
  pointDecoder: CountingSession | null;
  classDecoder: CountingSession | null;
}

/** The fake VISTA3D: three graphs, or with `split` five (an encoder giving down0 = image, Identity decoders). */
export function fakeVista(options: { maxPromptSize?: number; split?: boolean } = {}): FakeVista {
  const split = options.split ?? false;
  const encoder = new CountingSession('encoder', split ? splitEncoderModel() : encoderModel());
  const classHead = new CountingSession('class_head', classHeadModel(split ? 'class_features' : 'feat_auto'));
  const pointHead = new CountingSession('point_head', pointHeadModel());
  const pointDecoder = split ? new CountingSession('point_decoder', decoderModel('feat_point')) : null;
  const classDecoder = split ? new CountingSession('class_decoder', decoderModel('class_features')) : null;
  const network = new Vista3dNetwork({ encoder, classHead, pointHead, pointDecoder, classDecoder, maxPromptSize: options.maxPromptSize ?? null });
  return { network, encoder, classHead, pointHead, pointDecoder, classDecoder };
}

/** The class-head logit of id at value v, in float32 as the graph computes it. */
export function classLogit(v: number, id: number): number {
  const centre = Math.fround(id / 200);
  return Math.fround(0.004 - Math.abs(Math.fround(v - centre)));
}
