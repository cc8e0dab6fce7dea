/**
 * A small typed builder for ONNX models (ModelProto bytes), written with the generated classes of
 * `onnx-proto`. Used by the TF.js converter, the demo networks and the benchmarks' synthetic networks.
 *
 *   const g = new GraphBuilder('tiny');
 *   g.input('image', 'float32', [null, 1, null, null, null]);
 *   g.initializer('w', new Float32Array(27), [1, 1, 3, 3, 3]);
 *   g.node('Conv', ['image', 'w'], ['y'], { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] });
 *   g.output('y', 'float32', [null, 1, null, null, null]);
 *   const bytes = g.toModel({ opset: 17 });
 *
 * Tensor data is stored as little-endian `raw_data`, so the bytes are deterministic for the same calls.
 */
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { BundleError } from '../../errors/index.js';
import type { Tensor, TensorType } from '../types.js';

const { onnx } = onnxProto;

/** A dimension: a fixed size, a named symbolic size, or `null` for an anonymous dynamic size. */
export type Dim = number | string | null;

export type TensorData = Tensor['data'];

/**
 * Attribute values. Plain numbers become INT(S) when every value is an integer, so a float attribute whose
 * value happens to be integral (Elu's alpha = 1) must be wrapped: `floatAttr(1)`, `floatsAttr([1, 2])`.
 */
export type AttributeValue =
  | number
  | number[]
  | string
  | string[]
  | Tensor
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: number[] };

export const floatAttr = (value: number): AttributeValue => ({ kind: 'float', value });
export const floatsAttr = (value: number[]): AttributeValue => ({ kind: 'floats', value });

export interface NodeOptions {
  /** node name; defaults to `<op>_<index>` */
  name?: string;
  domain?: string;
}

export interface ModelOptions {
  /** default-domain opset version, 17 unless given */
  opset?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** extra key/value pairs stored in the model's metadata_props (sorted by key for determinism) */
  metadata?: Record<string, string>;
}

const DATA_TYPES: Record<TensorType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
  uint8: onnx.TensorProto.DataType.UINT8,
  float16: onnx.TensorProto.DataType.FLOAT16,
};

const ATTR = onnx.AttributeProto.AttributeType;

/** The element type a typed array holds by default (a Uint8Array is uint8 unless told it is bool). */
export function typeOfData(data: TensorData): TensorType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint16Array) return 'float16';
  return 'uint8';
}

/** The lowest IR version that carries the given opset (onnx's versioning table). */
export function irVersionForOpset(opset: number): number {
  if (opset <= 8) return 4;
  if (opset <= 10) return 5;
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

export class GraphBuilder {
  readonly name: string;
  private readonly inputs: proto.IValueInfoProto[] = [];
  private readonly outputs: proto.IValueInfoProto[] = [];
  private readonly initializers: proto.ITensorProto[] = [];
  private readonly nodes: proto.INodeProto[] = [];
  /** every value name defined so far (inputs, initializers, node outputs) */
  private readonly defined = new Set<string>();
  private readonly domains = new Map<string, number>();
  private counter = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** A fresh value name `<prefix>_<n>` that no earlier call has used. */
  unique(prefix: string): string {
    let candidate: string;
    do candidate = `${prefix}_${this.counter++}`;
    while (this.defined.has(candidate));
    return candidate;
  }

  has(name: string): boolean {
    return this.defined.has(name);
  }

  input(name: string, type: TensorType, shape: Dim[]): string {
    this.define(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares a graph output; the value must already be produced by a node, an input or an initializer. */
  output(name: string, type: TensorType, shape?: Dim[]): string {
    if (!this.defined.has(name)) {
      throw new BundleError('model_error', `Graph "${this.name}" declares output "${name}" that no node produces.`, {
        hint: 'add the node that computes it before declaring the output',
      });
    }
    this.outputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** A constant tensor stored in the model. `type` defaults to what the typed array holds. */
  initializer(name: string, data: TensorData, dims: number[], type: TensorType = typeOfData(data)): string {
    this.define(name);
    this.initializers.push(tensorProto(name, { type, dims, data }));
    return name;
  }

  /** Shorthand for small constants given as plain numbers (shapes, axes, scalars). */
  constant(name: string, type: TensorType, dims: number[], values: number[]): string {
    return this.initializer(name, typedArrayFor(type, values), dims, type);
  }

  /**
   * Appends a node. Inputs must be defined already (graph inputs, initializers or earlier outputs; '' marks
   * an omitted optional input), so the node list stays topologically sorted. Returns the output names.
   */
  node(op: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, options: NodeOptions = {}): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.defined.has(input)) {
        throw new BundleError('model_error', `Node ${op} in graph "${this.name}" reads "${input}" before anything defines it.`, {
          hint: 'add nodes in dependency order; declare inputs and initializers first',
        });
      }
    }
    for (const output of outputs) this.define(output);
    const domain = options.domain ?? '';
    if (domain !== '' && !this.domains.has(domain)) this.domains.set(domain, 1);
    this.nodes.push({
      name: options.name ?? `${op}_${this.nodes.length}`,
      opType: op,
      domain: domain === '' ? undefined : domain,
      input: inputs,
      output: outputs,
      attribute: Object.keys(attributes)
        .sort()
        .map((key) => attributeProto(key, attributes[key]!)),
    });
    return outputs;
  }

  /**
   * Renames a value everywhere it appears (producers, consumers, graph inputs, initializers), e.g. to give a
   * computed value the public name of a graph output without an extra Identity node.
   */
  rename(from: string, to: string): void {
    if (!this.defined.has(from)) {
      throw new BundleError('model_error', `Graph "${this.name}" has no value "${from}" to rename.`);
    }
    if (from === to) return;
    this.define(to);
    this.defined.delete(from);
    const swap = (names: string[] | null | undefined) => names?.forEach((n, i) => n === from && (names[i] = to));
    for (const node of this.nodes) {
      swap(node.input as string[]);
      swap(node.output as string[]);
    }
    for (const info of [...this.inputs, ...this.outputs, ...this.initializers]) if (info.name === from) info.name = to;
  }

  /** Declares the version of a custom operator domain used by nodes (e.g. `com.microsoft`). */
  useDomain(domain: string, version: number): void {
    this.domains.set(domain, version);
  }

  /** Serialises the graph as a ModelProto. */
  toModel(options: ModelOptions = {}): Uint8Array {
    const opset = options.opset ?? 17;
    const opsetImport: proto.IOperatorSetIdProto[] = [{ domain: '', version: opset }];
    for (const [domain, version] of [...this.domains].sort(([a], [b]) => a.localeCompare(b))) {
      opsetImport.push({ domain, version });
    }
    const model: proto.IModelProto = {
      irVersion: irVersionForOpset(opset),
      producerName: options.producerName ?? 'monai-bundle-ts',
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
      opsetImport,
      metadataProps: Object.keys(options.metadata ?? {})
        .sort()
        .map((key) => ({ key, value: options.metadata![key]! })),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
  }

  private define(name: string): void {
    if (name === '') throw new BundleError('model_error', `Graph "${this.name}" cannot define a value with an empty name.`);
    if (this.defined.has(name)) {
      throw new BundleError('model_error', `Graph "${this.name}" defines the value "${name}" twice.`, {
        hint: 'every value in an ONNX graph has exactly one producer; use unique() for fresh names',
      });
    }
    this.defined.add(name);
  }
}

function valueInfo(name: string, type: TensorType, shape?: Dim[]): proto.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPES[type],
        shape: shape === undefined ? undefined : { dim: shape.map(dimension) },
      },
    },
  };
}

function dimension(dim: Dim): proto.TensorShapeProto.IDimension {
  if (typeof dim === 'number') return { dimValue: dim };
  if (typeof dim === 'string') return { dimParam: dim };
  return {};
}

/** Tensor -> TensorProto with little-endian raw_data. */
export function tensorProto(name: string, tensor: Tensor): proto.ITensorProto {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== count) {
    throw new BundleError('model_error', `Tensor "${name}" has ${tensor.data.length} values but its dims [${tensor.dims.join(', ')}] need ${count}.`);
  }
  return {
    name,
    dims: tensor.dims,
    dataType: DATA_TYPES[tensor.type],
    rawData: littleEndianBytes(tensor.data),
  };
}

function littleEndianBytes(data: TensorData): Uint8Array {
  // Node runs only on little-endian hosts in practice; copy so the proto owns its bytes.
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function typedArrayFor(type: TensorType, values: number[]): TensorData {
  switch (type) {
    case 'float32':
      return Float32Array.from(values);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
    case 'uint8':
      return Uint8Array.from(values);
    case 'float16':
      throw new BundleError('model_error', 'float16 constants cannot be given as plain numbers.', {
        hint: 'pass a Uint16Array of float16 bit patterns to initializer()',
      });
  }
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'dims' in value && 'data' in value && 'type' in value;
}

function attributeProto(name: string, value: AttributeValue): proto.IAttributeProto {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: ATTR.INT, i: value } : { name, type: ATTR.FLOAT, f: value };
  }
  if (typeof value === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'string')) {
      return { name, type: ATTR.STRINGS, strings: (value as string[]).map((v) => new TextEncoder().encode(v)) };
    }
    const numbers = value as number[];
    return numbers.every(Number.isInteger) ? { name, type: ATTR.INTS, ints: numbers } : { name, type: ATTR.FLOATS, floats: numbers };
  }
  if (isTensor(value)) return { name, type: ATTR.TENSOR, t: tensorProto(name, value) };
  if (value.kind === 'float') return { name, type: ATTR.FLOAT, f: value.value };
  return { name, type: ATTR.FLOATS, floats: value.value };
}
