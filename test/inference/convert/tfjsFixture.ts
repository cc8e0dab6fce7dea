/**
 * Writes small TF.js layers models (model.json + one float32 shard) for the converter tests, with
 * deterministic pseudo-random weights, so no binary fixture has to be committed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LayerSpec {
  name: string;
  className: string;
  config?: Record<string, unknown>;
  /** inbound layer names; default: the previous layer */
  inbound?: string[];
  /** weights of this layer: suffix (kernel, bias, gamma...) -> shape */
  weights?: Record<string, number[]>;
}

export interface FixtureModel {
  dir: string;
  file: string;
  /** every weight by manifest name, as written */
  weights: Map<string, { shape: number[]; data: Float32Array }>;
  json: Record<string, unknown>;
}

/** A small deterministic generator (LCG): values in [-1, 1). */
export function seededValues(seed: number, count: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export function conv(name: string, cin: number, cout: number, options: { k?: number; dilation?: number; activation?: string; bias?: boolean; padding?: string } = {}): LayerSpec {
  const k = options.k ?? 3;
  const bias = options.bias ?? true;
  return {
    name,
    className: 'Conv3D',
    config: {
      name, filters: cout, kernel_size: [k, k, k], strides: [1, 1, 1], padding: options.padding ?? 'same', data_format: 'channels_last',
      dilation_rate: [options.dilation ?? 1, options.dilation ?? 1, options.dilation ?? 1], groups: 1, activation: options.activation ?? 'linear', use_bias: bias,
    },
    weights: bias ? { kernel: [k, k, k, cin, cout], bias: [cout] } : { kernel: [k, k, k, cin, cout] },
  };
}

export function activation(name: string, fn: string): LayerSpec {
  return { name, className: 'Activation', config: { name, activation: fn } };
}

/** Writes a Functional model whose first layer is an InputLayer named "input" with `channels` channels. */
export function writeTfjsModel(layers: LayerSpec[], options: { channels?: number; seed?: number; dir?: string; sequential?: boolean } = {}): FixtureModel {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'tfjs-fixture-'));
  const channels = options.channels ?? 1;
  const all: LayerSpec[] = [{ name: 'input', className: 'InputLayer', config: { batch_input_shape: [null, 8, 8, 8, channels], dtype: 'float32', name: 'input' } }, ...layers];
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  const manifest: { name: string; shape: number[]; dtype: string }[] = [];
  let seed = options.seed ?? 1;
  for (const layer of layers) {
    for (const [suffix, shape] of Object.entries(layer.weights ?? {})) {
      const count = shape.reduce((a, b) => a * b, 1);
      const data = seededValues(seed++, count);
      // variances must be positive
      if (suffix === 'moving_variance') data.forEach((v, i) => (data[i] = 0.5 + Math.abs(v)));
      weights.set(`${layer.name}/${suffix}`, { shape, data });
      manifest.push({ name: `${layer.name}/${suffix}`, shape, dtype: 'float32' });
    }
  }
  const jsonLayers = all.map((layer, i) => ({
    class_name: layer.className,
    config: { name: layer.name, ...(layer.config ?? {}) },
    name: layer.name,
    inbound_nodes: i === 0 ? [] : [(layer.inbound ?? [all[i - 1]!.name]).map((n) => [n, 0, 0, {}])],
  }));
  const modelConfig = options.sequential
    ? { class_name: 'Sequential', config: { name: 'fixture', layers: jsonLayers.slice(1).map((l, i) => (i === 0 ? { ...l, config: { ...l.config, batch_input_shape: [null, 8, 8, 8, channels] } } : l)) } }
    : { class_name: 'Functional', config: { name: 'fixture', layers: jsonLayers, input_layers: [['input', 0, 0]], output_layers: [[all[all.length - 1]!.name, 0, 0]] } };
  const json = {
    format: 'layers-model',
    generatedBy: 'test fixture',
    modelTopology: { keras_version: '2.7.0', backend: 'tensorflow', model_config: modelConfig },
    weightsManifest: [{ paths: ['weights.bin'], weights: manifest }],
  };
  const bytes = Buffer.alloc(4 * [...weights.values()].reduce((n, w) => n + w.data.length, 0));
  let offset = 0;
  for (const w of weights.values()) for (const v of w.data) offset = bytes.writeFloatLE(v, offset);
  writeFileSync(path.join(dir, 'weights.bin'), bytes);
  const file = path.join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(json, null, 1));
  return { dir, file, weights, json };
}
