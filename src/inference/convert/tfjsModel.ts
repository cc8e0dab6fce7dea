/**
 * Reading a TensorFlow.js "layers-model": model.json (a Keras topology plus a weights manifest) and its
 * little-endian float32 weight shards. Pure data: no mapping to ONNX here.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleError } from '../../errors/index.js';

/** One Keras layer as the topology describes it. */
export interface TfjsLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** names of the layers whose outputs feed this one, in order */
  inbound: string[];
}

export interface TfjsWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface TfjsModel {
  /** the model.json file, absolute */
  file: string;
  name: string;
  /** layers in topological order (as Keras writes them) */
  layers: TfjsLayer[];
  inputLayers: string[];
  outputLayers: string[];
  /** weights by their manifest name, e.g. `conv3d_1/kernel` */
  weights: Map<string, TfjsWeight>;
}

interface ManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
}

/** Reads model.json and the weight shards it names (relative to its folder). */
export async function readTfjsModel(modelJsonPath: string): Promise<TfjsModel> {
  const file = path.resolve(modelJsonPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new BundleError('model_not_found', `Cannot read the TF.js model ${modelJsonPath}.`, {
      hint: 'give the path of a TF.js layers model.json; its weight shards must sit beside it',
      location: { file },
      cause,
    });
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw invalid(file, 'model.json is not valid JSON.', cause);
  }
  const { name, layers, inputLayers, outputLayers } = parseTopology(json, file);
  const weights = await readWeights(json.weightsManifest, file);
  return { file, name, layers, inputLayers, outputLayers, weights };
}

/** Layers and their connections from `modelTopology` (Functional or Sequential models). */
export function parseTopology(
  json: Record<string, unknown>,
  file: string,
): { name: string; layers: TfjsLayer[]; inputLayers: string[]; outputLayers: string[] } {
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw invalid(file, `The model format is "${String(json.format)}", not a TF.js layers model.`, undefined,
      'graph models (tf.saved_model exports) are not supported; export a Keras/layers model');
  }
  const topology = json.modelTopology as Record<string, unknown> | undefined;
  const modelConfig = (topology?.model_config ?? topology) as Record<string, unknown> | undefined;
  const config = modelConfig?.config;
  const rawLayers = Array.isArray(config) ? config : (config as Record<string, unknown> | undefined)?.layers;
  if (!modelConfig || !Array.isArray(rawLayers) || rawLayers.length === 0) {
    throw invalid(file, 'model.json has no modelTopology with a list of layers.');
  }
  const sequential = modelConfig.class_name === 'Sequential';
  const layers: TfjsLayer[] = [];
  for (const [index, raw] of rawLayers.entries()) {
    const layer = raw as Record<string, unknown>;
    const layerConfig = (layer.config ?? {}) as Record<string, unknown>;
    const name = String(layer.name ?? layerConfig.name ?? `layer_${index}`);
    const className = String(layer.class_name ?? '');
    let inbound: string[];
    if (sequential) {
      inbound = index === 0 ? [] : [layers[index - 1]!.name];
    } else {
      const nodes = layer.inbound_nodes as unknown[][] | undefined;
      if (nodes && nodes.length > 1) {
        throw invalid(file, `Layer "${name}" is called ${nodes.length} times; shared layers are not supported.`);
      }
      inbound = (nodes?.[0] ?? []).map((entry) => String((entry as unknown[])[0]));
    }
    layers.push({ name, className, config: layerConfig, inbound });
  }
  if (sequential && layers[0]!.className !== 'InputLayer') {
    // A Sequential model may carry its input shape on the first layer instead of an InputLayer.
    const shape = layers[0]!.config.batch_input_shape;
    layers.unshift({ name: 'input', className: 'InputLayer', config: { batch_input_shape: shape }, inbound: [] });
    layers[1]!.inbound = ['input'];
  }
  const cfg = (Array.isArray(config) ? {} : config) as Record<string, unknown>;
  const endpoints = (list: unknown, fallback: string[]): string[] =>
    Array.isArray(list) ? list.map((entry) => String((entry as unknown[])[0])) : fallback;
  const inputLayers = endpoints(cfg.input_layers, layers.filter((l) => l.className === 'InputLayer').map((l) => l.name));
  const outputLayers = endpoints(cfg.output_layers, [layers[layers.length - 1]!.name]);
  return { name: String(cfg.name ?? modelConfig.name ?? path.basename(path.dirname(file))), layers, inputLayers, outputLayers };
}

async function readWeights(manifest: unknown, file: string): Promise<Map<string, TfjsWeight>> {
  const weights = new Map<string, TfjsWeight>();
  if (!Array.isArray(manifest)) throw invalid(file, 'model.json has no weightsManifest list.');
  for (const group of manifest as ManifestGroup[]) {
    const shards: Buffer[] = [];
    for (const shard of group.paths ?? []) {
      const shardPath = path.resolve(path.dirname(file), shard);
      try {
        shards.push(await readFile(shardPath));
      } catch (cause) {
        throw new BundleError('model_not_found', `Cannot read the weight shard ${shard} named in model.json.`, {
          hint: 'copy every file listed in weightsManifest[].paths next to model.json',
          location: { file: shardPath },
          cause,
        });
      }
    }
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const weight of group.weights ?? []) {
      if (weight.dtype !== 'float32' || weight.quantization !== undefined) {
        throw invalid(file, `Weight "${weight.name}" is ${weight.quantization ? 'quantized' : weight.dtype}; only float32 weights are supported.`,
          undefined, 'convert the model again without weight quantization');
      }
      const count = weight.shape.reduce((a, b) => a * b, 1);
      const end = offset + count * 4;
      if (end > bytes.length) {
        throw invalid(file, `The weight shards end before weight "${weight.name}" (${bytes.length} bytes, ${end} needed).`,
          undefined, 'the shards do not belong to this model.json or are truncated');
      }
      // Read value by value: a shard offset need not be a multiple of 4, and readFloatLE is right on any host.
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(offset + i * 4);
      weights.set(weight.name, { name: weight.name, shape: weight.shape, data });
      offset = end;
    }
    if (offset !== bytes.length) {
      throw invalid(file, `The weight shards hold ${bytes.length} bytes but the manifest describes ${offset}.`,
        undefined, 'the shards do not belong to this model.json');
    }
  }
  return weights;
}

function invalid(file: string, message: string, cause?: unknown, hint?: string): BundleError {
  return new BundleError('model_error', message, {
    hint: hint ?? 'check that this is a TF.js layers model.json (modelTopology + weightsManifest) as tfjs-converter writes it',
    location: { file },
    cause,
  });
}
