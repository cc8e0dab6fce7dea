/**
 * Keras layers -> ONNX nodes. The converted graph is channels first ([N, C, d0, d1, d2]) while Keras is
 * channels last, so kernels are transposed and channel axes become axis 1.
 */
import { BundleError } from '../../errors/index.js';
import type { GraphBuilder } from '../onnx/build.js';
import { applyActivation } from './activations.js';
import type { TfjsLayer, TfjsModel, TfjsWeight } from './tfjsModel.js';

/** What a layer mapper sees. */
export interface LayerContext {
  graph: GraphBuilder;
  model: TfjsModel;
  opset: number;
  /** reverse the order of the spatial axes (kernels, strides, dilations, pads) */
  reverseSpatialAxes: boolean;
  /** the ONNX value produced by each converted layer, by layer name */
  values: Map<string, string>;
  /** the channel count of each ONNX value, where known */
  channels: Map<string, number>;
}

/** brainchop's convention: a Conv3D named `*_gn` is followed by instance normalisation (eps 1e-5, no affine). */
const GN_SUFFIX = '_gn';
const BRAINCHOP_NORM_EPSILON = 1e-5;

/** Layers that compute nothing at inference time. */
const IDENTITY_LAYERS = new Set(['Dropout', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

export const SUPPORTED_LAYERS = ['InputLayer', 'Conv3D', 'Activation', 'ReLU', 'ELU', 'LeakyReLU', 'Softmax', 'InstanceNormalization',
  'BatchNormalization', 'Add', 'Concatenate', ...IDENTITY_LAYERS];

/** Appends the nodes of one layer; returns the ONNX value holding its output. */
export function convertLayer(ctx: LayerContext, layer: TfjsLayer): string {
  const inputs = layer.inbound.map((name) => {
    const value = ctx.values.get(name);
    if (value === undefined) {
      throw modelError(ctx, `Layer "${layer.name}" reads layer "${name}", which does not come before it.`);
    }
    return value;
  });
  const single = (): string => {
    if (inputs.length !== 1) throw modelError(ctx, `Layer "${layer.name}" (${layer.className}) needs exactly one input, not ${inputs.length}.`);
    return inputs[0]!;
  };
  const act = (activation: string, input: string, alpha?: number) =>
    applyActivation({ graph: ctx.graph, opset: ctx.opset, layerName: layer.name, className: layer.className }, activation, input, alpha);
  const cfg = layer.config;
  const className = layer.className.replace(/^Addons>/, '');
  if (IDENTITY_LAYERS.has(className)) return single();
  switch (className) {
    case 'Conv3D':
      return conv3d(ctx, layer, single());
    case 'Activation':
      return keep(ctx, single(), act(String(cfg.activation), single()));
    case 'ReLU':
      if ((cfg.max_value ?? null) !== null || Number(cfg.negative_slope ?? 0) !== 0 || Number(cfg.threshold ?? 0) !== 0) {
        throw unsupported(ctx, layer, 'ReLU with max_value, negative_slope or threshold is not handled');
      }
      return keep(ctx, single(), act('relu', single()));
    case 'ELU':
      return keep(ctx, single(), act('elu', single(), Number(cfg.alpha ?? 1)));
    case 'LeakyReLU': {
      const alpha = Number(cfg.alpha ?? cfg.negative_slope ?? 0.3);
      return keep(ctx, single(), ctx.graph.node('LeakyRelu', [single()], [ctx.graph.unique(layer.name)], { alpha: { kind: 'float', value: alpha } })[0]!);
    }
    case 'Softmax':
      channelAxis(ctx, layer, cfg.axis ?? -1);
      return keep(ctx, single(), act('softmax', single()));
    case 'InstanceNormalization':
      return instanceNorm(ctx, layer, single());
    case 'BatchNormalization':
      return batchNorm(ctx, layer, single());
    case 'Add': {
      if (inputs.length < 2) throw modelError(ctx, `Layer "${layer.name}" (Add) needs at least two inputs.`);
      let sum = inputs[0]!;
      for (const next of inputs.slice(1)) sum = ctx.graph.node('Add', [sum, next], [ctx.graph.unique(layer.name)])[0]!;
      return keep(ctx, inputs[0]!, sum);
    }
    case 'Concatenate': {
      channelAxis(ctx, layer, cfg.axis ?? -1);
      const out = ctx.graph.node('Concat', inputs, [ctx.graph.unique(layer.name)], { axis: 1 })[0]!;
      const counts = inputs.map((v) => ctx.channels.get(v));
      if (counts.every((c) => c !== undefined)) ctx.channels.set(out, counts.reduce((a, b) => a! + b!, 0)!);
      return out;
    }
    default:
      throw unsupported(ctx, layer, 'the converter has no mapping for this layer class');
  }
}

function conv3d(ctx: LayerContext, layer: TfjsLayer, input: string): string {
  const cfg = layer.config;
  const g = ctx.graph;
  if ((cfg.data_format ?? 'channels_last') !== 'channels_last') {
    throw unsupported(ctx, layer, `data_format "${String(cfg.data_format)}" is not handled (only channels_last)`);
  }
  const kernel = weight(ctx, layer, 'kernel');
  const kernelSize = triple(cfg.kernel_size, kernel.shape.slice(0, 3));
  const strides = triple(cfg.strides, [1, 1, 1]);
  const dilations = triple(cfg.dilation_rate, [1, 1, 1]);
  const groups = Number(cfg.groups ?? 1);
  const [kd, kh, kw, inPerGroup, out] = kernel.shape as [number, number, number, number, number];
  if (kernel.shape.length !== 5 || kd !== kernelSize[0] || kh !== kernelSize[1] || kw !== kernelSize[2]) {
    throw modelError(ctx, `Conv3D "${layer.name}" has a kernel of shape [${kernel.shape.join(', ')}] that does not match kernel_size [${kernelSize.join(', ')}].`);
  }
  const inChannels = ctx.channels.get(input);
  if (inChannels !== undefined && inChannels !== inPerGroup * groups) {
    throw modelError(ctx, `Conv3D "${layer.name}" expects ${inPerGroup * groups} input channels but receives ${inChannels}.`);
  }
  const order = ctx.reverseSpatialAxes ? [2, 1, 0] : [0, 1, 2];
  const spatial = <T>(values: T[]): T[] => order.map((i) => values[i]!);
  const weightName = g.initializer(g.unique(`${layer.name}_weight`), transposeKernel(kernel, ctx.reverseSpatialAxes), [out, inPerGroup, ...spatial([kd, kh, kw])]);
  const inputs = [input, weightName];
  if (cfg.use_bias !== false) {
    const bias = weight(ctx, layer, 'bias');
    inputs.push(g.initializer(g.unique(`${layer.name}_bias`), bias.data, [out]));
  }
  const attributes: Record<string, number[] | number | string> = {
    kernel_shape: spatial(kernelSize),
    strides: spatial(strides),
    dilations: spatial(dilations),
    group: groups,
  };
  const padding = String(cfg.padding ?? 'valid');
  if (padding === 'same') {
    if (strides.every((s) => s === 1)) {
      // TF puts the odd extra pixel at the end, as SAME_UPPER does; explicit pads keep the graph shape-agnostic.
      const total = kernelSize.map((k, i) => dilations[i]! * (k - 1));
      const begin = spatial(total.map((t) => Math.floor(t / 2)));
      const end = spatial(total.map((t) => t - Math.floor(t / 2)));
      attributes.pads = [...begin, ...end];
    } else {
      attributes.auto_pad = 'SAME_UPPER';
    }
  } else if (padding === 'valid') {
    attributes.pads = [0, 0, 0, 0, 0, 0];
  } else {
    throw unsupported(ctx, layer, `padding "${padding}" is not handled (only same and valid)`);
  }
  let value = g.node('Conv', inputs, [g.unique(layer.name)], attributes)[0]!;
  ctx.channels.set(value, out);
  value = keep(ctx, value, applyActivation({ graph: g, opset: ctx.opset, layerName: layer.name, className: layer.className }, String(cfg.activation ?? 'linear'), value));
  if (layer.name.endsWith(GN_SUFFIX)) value = normalise(ctx, layer.name, value, out, BRAINCHOP_NORM_EPSILON);
  return value;
}

/** Keras [kd, kh, kw, in, out] -> ONNX [out, in, kd, kh, kw] (or [out, in, kw, kh, kd] when reversed). */
export function transposeKernel(kernel: TfjsWeight, reverseSpatialAxes: boolean): Float32Array {
  const [kd, kh, kw, cin, cout] = kernel.shape as [number, number, number, number, number];
  const src = kernel.data;
  const dst = new Float32Array(src.length);
  let index = 0;
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      if (!reverseSpatialAxes) {
        for (let d = 0; d < kd; d++) for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++) {
          dst[index++] = src[(((d * kh + h) * kw + w) * cin + i) * cout + o]!;
        }
      } else {
        for (let w = 0; w < kw; w++) for (let h = 0; h < kh; h++) for (let d = 0; d < kd; d++) {
          dst[index++] = src[(((d * kh + h) * kw + w) * cin + i) * cout + o]!;
        }
      }
    }
  }
  return dst;
}

function instanceNorm(ctx: LayerContext, layer: TfjsLayer, input: string): string {
  const cfg = layer.config;
  channelAxis(ctx, layer, cfg.axis ?? -1);
  const channels = ctx.channels.get(input);
  if (channels === undefined) throw modelError(ctx, `The channel count before InstanceNormalization "${layer.name}" is unknown.`);
  const gamma = cfg.scale === false ? undefined : ctx.model.weights.get(`${layer.name}/gamma`)?.data;
  const beta = cfg.center === false ? undefined : ctx.model.weights.get(`${layer.name}/beta`)?.data;
  return normalise(ctx, layer.name, input, channels, Number(cfg.epsilon ?? 1e-3), gamma, beta);
}

function normalise(ctx: LayerContext, name: string, input: string, channels: number, epsilon: number, gamma?: Float32Array, beta?: Float32Array): string {
  const g = ctx.graph;
  const scale = g.initializer(g.unique(`${name}_norm_scale`), gamma ?? new Float32Array(channels).fill(1), [channels]);
  const bias = g.initializer(g.unique(`${name}_norm_bias`), beta ?? new Float32Array(channels), [channels]);
  const out = g.node('InstanceNormalization', [input, scale, bias], [g.unique(`${name}_norm`)], { epsilon: { kind: 'float', value: epsilon } })[0]!;
  ctx.channels.set(out, channels);
  return out;
}

function batchNorm(ctx: LayerContext, layer: TfjsLayer, input: string): string {
  const cfg = layer.config;
  channelAxis(ctx, layer, cfg.axis ?? -1);
  const g = ctx.graph;
  const mean = weight(ctx, layer, 'moving_mean');
  const variance = weight(ctx, layer, 'moving_variance');
  const channels = mean.shape[0]!;
  const gamma = cfg.scale === false ? new Float32Array(channels).fill(1) : weight(ctx, layer, 'gamma').data;
  const beta = cfg.center === false ? new Float32Array(channels) : weight(ctx, layer, 'beta').data;
  const names = [gamma, beta, mean.data, variance.data].map((data, i) =>
    g.initializer(g.unique(`${layer.name}_${['scale', 'bias', 'mean', 'var'][i]}`), data, [channels]));
  const out = g.node('BatchNormalization', [input, ...names], [g.unique(layer.name)], { epsilon: { kind: 'float', value: Number(cfg.epsilon ?? 1e-3) } })[0]!;
  ctx.channels.set(out, channels);
  return out;
}

/** Carries the channel count of `from` over to `to` (layers that keep the channel count). */
function keep(ctx: LayerContext, from: string, to: string): string {
  const channels = ctx.channels.get(from);
  if (channels !== undefined) ctx.channels.set(to, channels);
  return to;
}

function channelAxis(ctx: LayerContext, layer: TfjsLayer, axis: unknown): void {
  const value = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
  if (value !== -1 && value !== 4) throw unsupported(ctx, layer, `axis ${JSON.stringify(axis)} is not the channel axis`);
}

function weight(ctx: LayerContext, layer: TfjsLayer, suffix: string): TfjsWeight {
  const found = ctx.model.weights.get(`${layer.name}/${suffix}`);
  if (!found) throw modelError(ctx, `The weights manifest has no "${layer.name}/${suffix}" for layer "${layer.name}" (${layer.className}).`);
  return found;
}

function triple(value: unknown, fallback: number[]): number[] {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return [value, value, value];
  return (value as number[]).map(Number);
}

function unsupported(ctx: LayerContext, layer: TfjsLayer, why: string): BundleError {
  return new BundleError('unsupported_layer', `Layer "${layer.name}" (${layer.className}) cannot be converted: ${why}.`, {
    hint: `supported layers: ${SUPPORTED_LAYERS.join(', ')}`,
    location: { file: ctx.model.file },
  });
}

function modelError(ctx: LayerContext, message: string): BundleError {
  return new BundleError('model_error', message, {
    hint: 'the topology and the weights manifest of model.json disagree; re-export the model',
    location: { file: ctx.model.file },
  });
}
