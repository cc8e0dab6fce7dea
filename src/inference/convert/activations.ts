/**
 * Keras activation names -> ONNX nodes, in the channels-first layout of the converted graph (channel axis 1).
 * Formulas follow TF.js (e.g. GELU is the exact erf form, x * 0.5 * (1 + erf(x / sqrt 2))).
 */
import { BundleError } from '../../errors/index.js';
import { floatAttr, type GraphBuilder } from '../onnx/build.js';

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'gelu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'silu'] as const;

export interface ActivationContext {
  graph: GraphBuilder;
  opset: number;
  /** the layer being converted, for error messages */
  layerName: string;
  className: string;
}

/**
 * Appends the nodes of `activation` applied to `input` and returns the value holding the result (`input`
 * itself for linear). `alpha` overrides the default slope of elu.
 */
export function applyActivation(ctx: ActivationContext, activation: string, input: string, alpha?: number): string {
  const g = ctx.graph;
  const out = () => g.unique(`${ctx.layerName}_${activation}`);
  const unary = (op: string, attributes = {}) => g.node(op, [input], [out()], attributes)[0]!;
  switch (activation) {
    case 'linear':
      return input;
    case 'relu':
      return unary('Relu');
    case 'relu6': {
      const lo = g.constant(g.unique('zero'), 'float32', [], [0]);
      const hi = g.constant(g.unique('six'), 'float32', [], [6]);
      return g.node('Clip', [input, lo, hi], [out()])[0]!;
    }
    case 'elu':
      return unary('Elu', { alpha: floatAttr(alpha ?? 1) });
    case 'selu':
      return unary('Selu');
    case 'gelu':
      return gelu(ctx, input);
    case 'sigmoid':
      return unary('Sigmoid');
    case 'hard_sigmoid':
      // Keras: clip(0.2 x + 0.5, 0, 1)
      return unary('HardSigmoid', { alpha: floatAttr(0.2), beta: floatAttr(0.5) });
    case 'tanh':
      return unary('Tanh');
    case 'softmax':
      return unary('Softmax', { axis: 1 });
    case 'softplus':
      return unary('Softplus');
    case 'softsign':
      return unary('Softsign');
    case 'swish':
    case 'silu': {
      const s = g.node('Sigmoid', [input], [g.unique(`${ctx.layerName}_sigmoid`)])[0]!;
      return g.node('Mul', [input, s], [out()])[0]!;
    }
    default:
      throw new BundleError('unsupported_layer', `Layer "${ctx.layerName}" (${ctx.className}) uses the activation "${activation}", which the converter does not handle.`, {
        hint: `supported activations: ${ACTIVATIONS.join(', ')}`,
      });
  }
}

function gelu(ctx: ActivationContext, input: string): string {
  const g = ctx.graph;
  const name = (suffix: string) => g.unique(`${ctx.layerName}_gelu_${suffix}`);
  if (ctx.opset >= 20) return g.node('Gelu', [input], [name('out')])[0]!;
  // Gelu is an ONNX operator only from opset 20; below it, the same formula from primitives.
  const sqrt2 = g.constant(name('sqrt2'), 'float32', [], [Math.SQRT2]);
  const one = g.constant(name('one'), 'float32', [], [1]);
  const half = g.constant(name('half'), 'float32', [], [0.5]);
  const scaled = g.node('Div', [input, sqrt2], [name('div')])[0]!;
  const erf = g.node('Erf', [scaled], [name('erf')])[0]!;
  const shifted = g.node('Add', [erf, one], [name('add')])[0]!;
  const cdf = g.node('Mul', [shifted, half], [name('cdf')])[0]!;
  return g.node('Mul', [input, cdf], [name('out')])[0]!;
}
