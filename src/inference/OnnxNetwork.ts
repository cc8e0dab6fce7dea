/**
 * A Network backed by one ONNX file. The session is created on first use (so building the component costs
 * nothing and never loads onnxruntime). Feeds are checked against the model's declared inputs before the
 * run, float32 data is converted for float16 inputs (fp16 models) and float16 outputs come back as float32.
 * A model whose inputs declare a batch of exactly 1 is run once per item when fed a larger batch.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BundleError } from '../errors/index.js';
import type { Logger } from '../registry/ComponentEntry.js';
import { closestNames } from '../util/closest.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';
import { getSession, isTensorType, type LoadedSession, type SessionOptions, type ValueInfo } from './OnnxSession.js';
import type { Network, Tensor } from './types.js';

/** Names the config gives: a list of model names (exposed as they are) or `{configName: modelName}`. */
export type NameMapping = readonly string[] | Readonly<Record<string, string>>;

export interface OnnxNetworkOptions extends SessionOptions {
  /** absolute path of the fp32 model */
  path: string;
  /** `fp16` runs `fp16Path`, or the `<stem>_fp16.onnx` sibling of `path` */
  precision?: 'fp32' | 'fp16';
  fp16Path?: string;
  inputNames?: NameMapping;
  outputNames?: NameMapping;
  logger?: Logger;
  /** config id of the component, added to the location of every error */
  id?: string;
  /** a missing file is `model_not_found` on first use, not at construction (a graph older exports lack) */
  optional?: boolean;
}

/** The model file for the requested precision; a missing file is `model_not_found`. */
export function modelFileFor(options: Pick<OnnxNetworkOptions, 'path' | 'precision' | 'fp16Path'>): string {
  const file = modelFileName(options);
  if (!existsSync(file)) {
    const hint =
      options.precision === 'fp16' && !options.fp16Path
        ? `precision "fp16" looks for ${path.basename(file)} beside the fp32 model; export it, set fp16_path, or use precision "fp32"`
        : undefined;
    throw new BundleError('model_not_found', `Model file ${file} does not exist.`, { hint, location: { file } });
  }
  return file;
}

function modelFileName(options: Pick<OnnxNetworkOptions, 'path' | 'precision' | 'fp16Path'>): string {
  if (options.precision !== 'fp16') return options.path;
  return options.fp16Path ?? path.join(path.dirname(options.path), `${path.basename(options.path, '.onnx')}_fp16.onnx`);
}

export class OnnxNetwork implements Network {
  readonly name: string;
  readonly modelPath: string;
  private readonly options: OnnxNetworkOptions;
  private loaded?: LoadedSession;
  private loading?: Promise<void>;

  constructor(options: OnnxNetworkOptions) {
    this.options = options;
    this.modelPath = options.optional ? modelFileName(options) : modelFileFor(options);
    this.name = path.basename(this.modelPath);
  }

  get inputNames(): readonly string[] {
    return this.exposed('input');
  }

  get outputNames(): readonly string[] {
    return this.exposed('output');
  }

  /** The provider the session runs on (after load). */
  get provider(): string | undefined {
    return this.loaded?.provider;
  }

  /**
   * Whether inferers should feed a batch one item at a time (after load): on the CPU provider, when every
   * input takes a batch of 1 (dynamic or 1 first dim). See asPredictor.
   */
  get itemwise(): boolean {
    return this.loaded?.provider === 'cpu' && this.loaded.inputs.every((info) => info.dims !== undefined && (info.dims[0] === 1 || typeof info.dims[0] !== 'number'));
  }

  /** The model's declared inputs and outputs (after load). */
  get signature(): { inputs: ValueInfo[]; outputs: ValueInfo[] } | undefined {
    return this.loaded && { inputs: this.loaded.inputs, outputs: this.loaded.outputs };
  }

  load(): Promise<void> {
    this.loading ??= Promise.resolve()
      .then(async () => {
        if (this.options.optional) modelFileFor(this.options);
        const s = await getSession(this.modelPath, this.options, this.options.logger);
        this.loaded = s;
        for (const kind of ['input', 'output'] as const) this.mapping(kind);
      })
      .catch((e) => {
        this.loading = undefined;
        throw this.located(e);
      });
    return this.loading;
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    await this.load();
    try {
      return await this.runFeeds(feeds);
    } catch (e) {
      throw this.located(e);
    }
  }

  private located(e: unknown): unknown {
    return e instanceof BundleError && this.options.id !== undefined ? e.withLocation({ id: this.options.id }) : e;
  }

  private async runFeeds(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const s = this.loaded!;
    const inputMap = this.mapping('input');
    const modelFeeds: Record<string, Tensor> = {};
    for (const [given, tensor] of Object.entries(feeds)) {
      const modelName = inputMap.get(given);
      if (modelName === undefined) {
        throw new BundleError('model_error', `Model ${this.name} has no input "${given}".`, {
          hint: `its inputs are ${[...inputMap.keys()].join(', ')}`,
          candidates: closestNames(given, inputMap.keys()),
          location: { file: this.modelPath, path: given },
        });
      }
      modelFeeds[modelName] = tensor;
    }
    for (const [given, modelName] of inputMap) {
      if (!(modelName in modelFeeds)) {
        throw new BundleError('model_error', `Input "${given}" of model ${this.name} was not given.`, {
          hint: 'the network needs every input it declares; check input_names',
          location: { file: this.modelPath, path: given },
        });
      }
    }
    const prepared = s.inputs.map((info) => [info.name, this.prepare(info, modelFeeds[info.name])] as const);
    const batches = splitBatch(s.inputs, prepared.map(([, t]) => t));
    const results: Record<string, Tensor>[] = [];
    for (let b = 0; b < batches; b++) {
      const ortFeeds: Record<string, InstanceType<LoadedSession['ort']['Tensor']>> = {};
      for (const [name, t] of prepared) {
        const item = batches > 1 ? sliceBatch(t, b) : t;
        ortFeeds[name] = new s.ort.Tensor(item.type, item.data, item.dims);
      }
      results.push(await this.runOnce(ortFeeds));
    }
    const outputMap = this.mapping('output');
    const out: Record<string, Tensor> = {};
    for (const [given, modelName] of outputMap) out[given] = concatBatch(results.map((r) => r[modelName]));
    return out;
  }

  private async runOnce(feeds: Record<string, InstanceType<LoadedSession['ort']['Tensor']>>): Promise<Record<string, Tensor>> {
    let raw: Awaited<ReturnType<LoadedSession['session']['run']>>;
    try {
      raw = await this.loaded!.session.run(feeds);
    } catch (e) {
      throw new BundleError('model_error', `onnxruntime failed running model ${this.name}.`, { cause: e, location: { file: this.modelPath } });
    }
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(raw)) {
      const t = value as { type: string; dims: readonly number[]; data: unknown };
      if (!isTensorType(t.type)) {
        throw new BundleError('model_error', `Output "${name}" of model ${this.name} has type ${t.type}, which the interpreter does not handle.`, {
          hint: 'export the model with float32, float16, int64, int32, uint8 or bool outputs',
          location: { file: this.modelPath, path: name },
        });
      }
      out[name] =
        t.type === 'float16'
          ? { type: 'float32', dims: [...t.dims], data: float16ToFloat32(t.data as Uint16Array) }
          : { type: t.type, dims: [...t.dims], data: t.data as Tensor['data'] };
    }
    return out;
  }

  /** Checks a feed against the declared input and converts float32 for a float16 input. */
  private prepare(info: ValueInfo, tensor: Tensor): Tensor {
    const where = { file: this.modelPath, path: info.name };
    let t = tensor;
    if (info.type && info.type !== t.type) {
      if (info.type === 'float16' && t.type === 'float32') t = { type: 'float16', dims: t.dims, data: float32ToFloat16(t.data as Float32Array) };
      else {
        throw new BundleError('shape_mismatch', `Input "${info.name}" of model ${this.name} takes ${info.type} but was given ${t.type}.`, {
          hint: 'cast the data in preprocessing, or export the model with the input type the bundle produces',
          location: where,
        });
      }
    }
    if (info.dims) {
      const declared = info.dims;
      const batchOk = (i: number) => i === 0 && declared[0] === 1;
      const bad = declared.length !== t.dims.length || declared.some((d, i) => typeof d === 'number' && d !== t.dims[i] && !batchOk(i));
      if (bad) {
        throw new BundleError('shape_mismatch', `Input "${info.name}" of model ${this.name} expects shape [${declared.map((d) => (typeof d === 'number' ? d : d || '?')).join(', ')}] but was given [${t.dims.join(', ')}].`, {
          location: where,
        });
      }
    }
    return t;
  }

  /** config-side name -> model name, in the order the network exposes them. */
  private mapping(kind: 'input' | 'output'): Map<string, string> {
    const declared = (kind === 'input' ? this.loaded?.inputs : this.loaded?.outputs)?.map((v) => v.name);
    const given = kind === 'input' ? this.options.inputNames : this.options.outputNames;
    const pairs: [string, string][] = given === undefined ? (declared ?? []).map((n) => [n, n]) : Array.isArray(given) ? given.map((n) => [n, n]) : Object.entries(given);
    if (declared) {
      for (const [, modelName] of pairs) {
        if (!declared.includes(modelName)) {
          throw new BundleError('model_error', `Model ${this.name} has no ${kind} "${modelName}".`, {
            hint: `its ${kind}s are ${declared.join(', ')}; fix ${kind}_names`,
            candidates: closestNames(modelName, declared),
            location: { file: this.modelPath, path: modelName },
          });
        }
      }
    }
    return new Map(pairs);
  }

  private exposed(kind: 'input' | 'output'): string[] {
    const given = kind === 'input' ? this.options.inputNames : this.options.outputNames;
    if (given !== undefined) return Array.isArray(given) ? [...given] : Object.keys(given);
    if (!this.loaded) {
      throw new BundleError('model_error', `The ${kind} names of model ${this.name} are known only once it is loaded.`, {
        hint: `call load() first, or give ${kind}_names in the network component`,
        location: { file: this.modelPath },
      });
    }
    return [...this.mapping(kind).keys()];
  }
}

/** How many single-item runs a batch needs: the batch size when every input declares a batch of 1, else 1. */
function splitBatch(inputs: ValueInfo[], feeds: Tensor[]): number {
  const batch = feeds[0]?.dims[0] ?? 1;
  if (batch <= 1 || !inputs.every((info, i) => info.dims?.[0] === 1 && feeds[i].dims[0] === batch)) return 1;
  return batch;
}

function sliceBatch(t: Tensor, b: number): Tensor {
  const size = t.data.length / t.dims[0];
  return { type: t.type, dims: [1, ...t.dims.slice(1)], data: t.data.slice(b * size, (b + 1) * size) };
}

function concatBatch(parts: Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  const size = first.data.length;
  const data = new (first.data.constructor as new (n: number) => Tensor['data'])(size * parts.length);
  parts.forEach((p, i) => (data as Float32Array).set(p.data as Float32Array, i * size));
  return { type: first.type, dims: [parts.length, ...first.dims.slice(1)], data };
}
