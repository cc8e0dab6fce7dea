/**
 * MONAI's `verify_net_in_out`: run the network on a random input of the shape the metadata declares
 * (`network_data_format.inputs.image`: num_channels, spatial_shape, dtype) and check the output's channels
 * and dtype against `network_data_format.outputs.pred`. Symbolic sizes as MONAI writes them are evaluated
 * with MONAI's factors: "*" is `any`, and `n` and `p` in expressions such as "16*n" or "2**p" take the
 * given values (default 1).
 */
import { BundleError } from '../errors/index.js';
import type { Network, Tensor, TensorType } from '../inference/types.js';

export interface NetIoSpec {
  inputChannels: number;
  spatialShape: Array<number | string>;
  inputDtype: TensorType;
  outputChannels: number;
  outputDtype: TensorType;
}

export interface FakeShapeFactors {
  p?: number;
  n?: number;
  any?: number;
}

const DTYPE_NAMES: Record<string, TensorType> = {
  float32: 'float32', float: 'float32', float16: 'float16', half: 'float16',
  int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', uint8: 'uint8', bool: 'bool',
};

/** "float32", "torch.float32", "np.float32", "numpy.float32" and "float" name the same type. */
export function tensorTypeOf(name: unknown, where: string): TensorType {
  const key = typeof name === 'string' ? name.replace(/^(torch|np|numpy)\./, '').trim().toLowerCase() : '';
  const type = DTYPE_NAMES[key];
  if (!type) {
    throw new BundleError('invalid_metadata', `${where} has dtype ${JSON.stringify(name)}, which is not a tensor type.`, {
      hint: `use one of ${Object.keys(DTYPE_NAMES).join(', ')}`,
      location: { id: `_meta_::${where.replace(/\./g, '::')}::dtype` },
    });
  }
  return type;
}

/** The input/output declaration of `network_data_format` (the metadata as loaded under `_meta_`). */
export function netIoSpec(meta: unknown): NetIoSpec {
  const format = (meta as { network_data_format?: Record<string, any> } | null)?.network_data_format;
  const image = format?.inputs?.image;
  const pred = format?.outputs?.pred;
  const missing = (what: string) =>
    new BundleError('invalid_metadata', `The metadata does not declare ${what}.`, {
      hint: 'verify_net_in_out reads network_data_format.inputs.image and network_data_format.outputs.pred of metadata.json',
      location: { id: `_meta_::network_data_format::${what.replace(/\./g, '::')}` },
    });
  if (!image || typeof image !== 'object') throw missing('inputs.image');
  if (!pred || typeof pred !== 'object') throw missing('outputs.pred');
  if (!Number.isInteger(image.num_channels) || image.num_channels < 1) throw missing('inputs.image.num_channels');
  if (!Array.isArray(image.spatial_shape) || image.spatial_shape.length === 0) throw missing('inputs.image.spatial_shape');
  if (!Number.isInteger(pred.num_channels) || pred.num_channels < 1) throw missing('outputs.pred.num_channels');
  return {
    inputChannels: image.num_channels,
    spatialShape: image.spatial_shape,
    inputDtype: tensorTypeOf(image.dtype ?? 'float32', 'network_data_format.inputs.image'),
    outputChannels: pred.num_channels,
    outputDtype: tensorTypeOf(pred.dtype ?? 'float32', 'network_data_format.outputs.pred'),
  };
}

/** MONAI's `_get_fake_spatial_shape`: numbers stay, "*" is `any`, expressions in n and p are evaluated. */
export function fakeSpatialShape(shape: Array<number | string>, factors: FakeShapeFactors = {}): number[] {
  const { p = 1, n = 1, any = 1 } = factors;
  return shape.map((dim, axis) => {
    const size = typeof dim === 'number' ? dim : dim.trim() === '*' ? any : evaluateSize(dim, { n, p });
    if (!Number.isInteger(size) || size < 1) {
      throw new BundleError('invalid_metadata', `spatial_shape[${axis}] = ${JSON.stringify(dim)} does not give a positive whole size.`, {
        hint: 'write a number, "*", or an expression in n and p such as "16*n" or "2**p"',
        location: { id: `_meta_::network_data_format::inputs::image::spatial_shape::${axis}` },
      });
    }
    return size;
  });
}

/** A tiny arithmetic evaluator: integers, n, p, + - * / ** and parentheses (no eval). */
function evaluateSize(text: string, vars: { n: number; p: number }): number {
  const tokens = text.match(/\*\*|\d+|[np]|[-+*/()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const bad = () => new Error(`cannot read ${JSON.stringify(text)}`);
  const primary = (): number => {
    const t = tokens[i++];
    if (t === undefined) throw bad();
    if (/^\d+$/.test(t)) return Number(t);
    if (t === 'n' || t === 'p') return vars[t];
    if (t === '-') return -primary();
    if (t === '(') {
      const v = sum();
      if (tokens[i++] !== ')') throw bad();
      return v;
    }
    throw bad();
  };
  const power = (): number => {
    const base = primary();
    if (peek() === '**') {
      i++;
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let v = power();
    while (peek() === '*' || peek() === '/') v = tokens[i++] === '*' ? v * power() : v / power();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  try {
    const v = sum();
    if (i !== tokens.length) throw bad();
    return v;
  } catch {
    return NaN;
  }
}

/** Uniform [0, 1) data of the given type (integers: 0 or 1). */
export function randomTensor(type: TensorType, dims: number[], random: () => number = Math.random): Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  switch (type) {
    case 'float32':
      return { type, dims, data: Float32Array.from({ length: size }, random) };
    case 'float16': {
      // half-precision bits of values in [0, 1): exponent 0..14, random mantissa
      const data = Uint16Array.from({ length: size }, () => (Math.floor(random() * 15) << 10) | Math.floor(random() * 1024));
      return { type, dims, data };
    }
    case 'int64':
      return { type, dims, data: BigInt64Array.from({ length: size }, () => BigInt(Math.floor(random() * 2))) };
    case 'int32':
      return { type, dims, data: Int32Array.from({ length: size }, () => Math.floor(random() * 2)) };
    case 'uint8':
    case 'bool':
      return { type, dims, data: Uint8Array.from({ length: size }, () => Math.floor(random() * 2)) };
  }
}

export interface NetInOutResult {
  /** for a composite network: one line per graph checked */
  graphs?: string[];
  inputShape: number[];
  outputShape: number[];
  outputType: TensorType;
}

/**
 * A network made of several graphs (VISTA3D's encoder and heads): it checks each graph against the contract
 * it declares, on one random input shaped as the metadata says, and returns one line per graph. The
 * metadata's output channels describe the post-processed result, which no single graph produces.
 */
export interface CompositeNetwork {
  verifyGraphs(input: Tensor): Promise<string[]>;
}

function isComposite(value: unknown): value is CompositeNetwork {
  return value !== null && typeof value === 'object' && typeof (value as Partial<CompositeNetwork>).verifyGraphs === 'function';
}

/** Runs `network` once on random input and throws `shape_mismatch` when the output disagrees with `spec`. */
export async function verifyNetInOut(network: unknown, spec: NetIoSpec, factors: FakeShapeFactors = {}, netId = 'network_def'): Promise<NetInOutResult> {
  if (isComposite(network)) {
    const inputShape = [1, spec.inputChannels, ...fakeSpatialShape(spec.spatialShape, factors)];
    const graphs = await network.verifyGraphs(randomTensor(spec.inputDtype, inputShape));
    return { inputShape, outputShape: [], outputType: spec.outputDtype, graphs };
  }
  const net = network as Network & { load?: () => Promise<void> };
  // a lazily loaded network (OnnxNetwork) knows its input names once loaded
  if (net && typeof net.run === 'function' && typeof net.load === 'function') await net.load();
  if (!net || typeof net.run !== 'function' || !Array.isArray(net.inputNames) || net.inputNames.length === 0) {
    throw new BundleError('invalid_arguments', `"${netId}" is not a network component.`, {
      hint: 'name the id of a network (an OnnxNetwork, or a composite one such as Vista3dNetwork): bundle verify_net_in_out network_def ...',
      location: { id: netId },
    });
  }
  const inputShape = [1, spec.inputChannels, ...fakeSpatialShape(spec.spatialShape, factors)];
  const outputs = await net.run({ [net.inputNames[0]!]: randomTensor(spec.inputDtype, inputShape) });
  const outputName = net.outputNames[0]!;
  const output = outputs[outputName] ?? Object.values(outputs)[0];
  if (!output) throw new BundleError('model_error', `The network "${netId}" returned no output.`, { location: { id: netId } });
  if (output.dims[1] !== spec.outputChannels) {
    throw new BundleError('shape_mismatch', `The network's output has ${output.dims[1]} channels but the metadata declares ${spec.outputChannels}.`, {
      hint: `output shape [${output.dims.join(', ')}] for input [${inputShape.join(', ')}]; fix network_data_format.outputs.pred.num_channels or the network`,
      location: { id: netId },
    });
  }
  if (output.type !== spec.outputDtype) {
    throw new BundleError('shape_mismatch', `The network's output is ${output.type} but the metadata declares ${spec.outputDtype}.`, {
      hint: 'fix network_data_format.outputs.pred.dtype or the network',
      location: { id: netId },
    });
  }
  return { inputShape, outputShape: output.dims, outputType: output.type };
}
