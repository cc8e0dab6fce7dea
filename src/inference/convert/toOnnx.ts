/**
 * TF.js layers model -> ONNX model bytes, and the file-to-file conversion behind `bundle convert-tfjs`.
 *
 * Axis convention. Keras sees [N, d0, d1, d2, C]; the ONNX graph sees [N, C, d0, d1, d2] with the same spatial
 * order, so a volume in our layout (C order over [C, X, Y, Z]) fed as [1, 1, X, Y, Z] gives what brainchop
 * gives: brainchop transposes the NIfTI buffer to [x, y, z] before the network (`enableTranspose`). With
 * `reverseSpatialAxes`, every kernel (and stride, dilation, pad) is flipped end to end instead, for inputs in
 * NIfTI file order ([1, 1, nz, ny, nx], x fastest). `computeInFileOrder` combines the two: the graph takes and
 * returns our layout but transposes to file order around reversed kernels, so its sums run in the same order
 * as an export that works on file order (niivue-onnx's), and its logits equal that export's bit for bit.
 */
import path from 'node:path';
import { BundleError } from '../../errors/index.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { GraphBuilder, type Dim } from '../onnx/build.js';
import { convertLayer, type LayerContext } from './layers.js';
import { readTfjsModel, type TfjsModel } from './tfjsModel.js';

export interface ConvertOptions {
  /** ONNX opset (default 17). GELU becomes one Gelu node from opset 20, primitives below it. */
  opset?: number;
  /** add ArgMax over the channels: the output becomes int64 labels [N, 1, ...] instead of logits */
  argmax?: boolean;
  /** flip the spatial axes of every kernel, for inputs in NIfTI file order (see the module comment) */
  reverseSpatialAxes?: boolean;
  /**
   * take and return our layout, but compute in NIfTI file order inside: Transpose, reversed kernels,
   * Transpose back (see the module comment); excludes reverseSpatialAxes
   */
  computeInFileOrder?: boolean;
}

/** [N, C, a, b, c] <-> [N, C, c, b, a]: our layout <-> NIfTI file order (its own inverse) */
const SPATIAL_REVERSAL = [0, 1, 4, 3, 2];

export interface ConversionSummary {
  inputName: string;
  outputName: string;
  /** channels of the input and of the output logits */
  inChannels: number;
  outChannels: number;
  layers: number;
  parameters: number;
}

const MIN_OPSET = 13;
const MAX_OPSET = 21;

/** Builds the ONNX graph of a TF.js model already read into memory. */
export function tfjsToOnnx(model: TfjsModel, options: ConvertOptions = {}): { bytes: Uint8Array; summary: ConversionSummary } {
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new BundleError('usage', `Opset ${opset} is not supported by the converter.`, {
      hint: `choose an opset from ${MIN_OPSET} to ${MAX_OPSET}; 17 is the default`,
    });
  }
  if (model.inputLayers.length !== 1 || model.outputLayers.length !== 1) {
    throw new BundleError('unsupported_layer', `The model has ${model.inputLayers.length} inputs and ${model.outputLayers.length} outputs; the converter handles one of each.`, {
      location: { file: model.file },
    });
  }
  if (options.computeInFileOrder && options.reverseSpatialAxes) {
    throw new BundleError('usage', 'computeInFileOrder and reverseSpatialAxes cannot be combined.', {
      hint: 'reverseSpatialAxes makes a graph for input in file order; computeInFileOrder keeps our layout outside and uses file order inside',
    });
  }
  const fileOrderInside = options.computeInFileOrder ?? false;
  const graph = new GraphBuilder(model.name);
  const ctx: LayerContext = {
    graph,
    model,
    opset,
    reverseSpatialAxes: (options.reverseSpatialAxes ?? false) || fileOrderInside,
    values: new Map(),
    channels: new Map(),
  };
  const inputName = model.inputLayers[0]!;
  const outputLayer = model.outputLayers[0]!;
  let inChannels = 0;
  for (const layer of model.layers) {
    if (layer.className === 'InputLayer') {
      if (layer.name !== inputName) {
        throw new BundleError('unsupported_layer', `Input layer "${layer.name}" is not the model's declared input; the converter handles one input.`, {
          location: { file: model.file },
        });
      }
      const shape = layer.config.batch_input_shape as (number | null)[] | undefined;
      if (!Array.isArray(shape) || shape.length !== 5 || typeof shape[4] !== 'number') {
        throw new BundleError('unsupported_layer', `Input layer "${layer.name}" has shape ${JSON.stringify(shape)}; the converter handles 3-D volumes [batch, d0, d1, d2, channels].`, {
          location: { file: model.file },
        });
      }
      inChannels = shape[4];
      graph.input(inputName, 'float32', ioShape(inChannels));
      let first = inputName;
      if (fileOrderInside) [first] = graph.node('Transpose', [inputName], [graph.unique(`${inputName}_file_order`)], { perm: SPATIAL_REVERSAL });
      ctx.values.set(layer.name, first!);
      ctx.channels.set(first!, inChannels);
      continue;
    }
    ctx.values.set(layer.name, convertLayer(ctx, layer));
  }
  const logits = ctx.values.get(outputLayer);
  const outChannels = logits === undefined ? undefined : ctx.channels.get(logits);
  if (logits === undefined || outChannels === undefined || logits === inputName || logits === ctx.values.get(inputName)) {
    throw new BundleError('model_error', `The output layer "${outputLayer}" produces no tensor the converter can name.`, {
      location: { file: model.file },
    });
  }
  // The graph's output takes the Keras output layer's name (as niivue's export does: "output").
  const outputName = outputLayer === inputName ? `${outputLayer}_out` : outputLayer;
  if (options.argmax) {
    // in file order, the labels (1 channel) are transposed back rather than the logits (K channels)
    const labels = fileOrderInside ? graph.unique(`${outputName}_file_order`) : outputName;
    graph.node('ArgMax', [logits], [labels], { axis: 1, keepdims: 1 });
    if (fileOrderInside) graph.node('Transpose', [labels], [outputName], { perm: SPATIAL_REVERSAL });
    graph.output(outputName, 'int64', ioShape(1));
  } else {
    if (fileOrderInside) graph.node('Transpose', [logits], [outputName], { perm: SPATIAL_REVERSAL });
    else graph.rename(logits, outputName);
    graph.output(outputName, 'float32', ioShape(outChannels));
  }
  let parameters = 0;
  for (const w of model.weights.values()) parameters += w.data.length;
  const bytes = graph.toModel({
    opset,
    producerName: 'monai-bundle-ts convert-tfjs',
    docString: `Converted from the TF.js layers model ${path.basename(path.dirname(model.file))}/${path.basename(model.file)}.`,
    metadata: {
      source_format: 'tfjs-layers-model',
      spatial_axes: fileOrderInside ? 'as in keras outside, computed in file order inside' : ctx.reverseSpatialAxes ? 'reversed' : 'as in keras',
      output: options.argmax ? 'argmax labels' : 'logits',
    },
  });
  return {
    bytes,
    summary: { inputName, outputName, inChannels, outChannels, layers: model.layers.length, parameters },
  };
}

/** Reads `modelJsonPath` (and its shards) and writes the ONNX model to `outPath` atomically. */
export async function convertTfjsFile(modelJsonPath: string, outPath: string, options: ConvertOptions = {}): Promise<ConversionSummary> {
  const model = await readTfjsModel(modelJsonPath);
  const { bytes, summary } = tfjsToOnnx(model, options);
  writeFileAtomic(outPath, bytes, 'the ONNX model');
  return summary;
}

function ioShape(channels: number): Dim[] {
  return ['batch', channels, 'd0', 'd1', 'd2'];
}

