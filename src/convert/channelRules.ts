/**
 * Recognises the channel-rules form of a MONAI `Lambdad` function, so that `bundle convert` can write our
 * declared ChannelsToLabeld for it:
 *
 *     lambda x: torch.where(x[[c1]] > t, v1, torch.where(x[[c2]] > t, v2, ... b))     (np.where / numpy.where too)
 *
 * brats_mri_segmentation's postprocessing ends in one. Each condition compares one channel selection
 * `x[[c]]` (a non-negative literal index; the list keeps the channel axis) with the same number by the same
 * comparison (`t op x[[c]]` is read as its mirror image), each value and the innermost "else" are numbers.
 * Then, per voxel, the outermost condition that holds gives its value, and none gives b: ChannelsToLabeld's
 * rules exactly. Integer literals as labels give int64 in torch (int32 here), any float literal float32.
 * Anything else (x[c], which drops the channel axis; per-rule thresholds; computed values) is not this form.
 */
import type { SyntaxNode } from '@lezer/common';
import type { Comparison } from '../transforms/utility/ChannelsToLabeld.js';
import { comparisonOf, whereLambdaOf } from './pythonLambda.js';

export interface ChannelRules {
  channels: number[];
  labels: number[];
  threshold: number;
  comparison: Comparison;
  background: number;
  dtype: 'int32' | 'float32';
}

const MIRROR: Record<string, Comparison> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=', '==': '==', '!=': '!=' };

export function channelRulesOf(source: string): ChannelRules | undefined {
  const lambda = whereLambdaOf(source);
  if (!lambda) return undefined;
  const { x, text, number } = lambda;
  /** the index c of `x[[c]]`, else undefined */
  const channelOf = (n: SyntaxNode): number | undefined => {
    if (n.name !== 'MemberExpression') return undefined;
    const parts: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== '[' && c.name !== ']') parts.push(c);
    const [object, index, extra] = parts;
    if (!object || !index || extra || object.name !== 'VariableName' || text(object) !== x || index.name !== 'ArrayExpression') return undefined;
    const items: SyntaxNode[] = [];
    for (let c = index.firstChild; c; c = c.nextSibling) if (!/^[[\],]$/.test(c.name)) items.push(c);
    const c = items.length === 1 ? number(items[0]!) : undefined;
    return c !== undefined && Number.isInteger(c) && c >= 0 ? c : undefined;
  };
  const rules: Omit<ChannelRules, 'background' | 'dtype'> = { channels: [], labels: [], threshold: 0, comparison: '>' };
  const floatLiteral = (n: SyntaxNode) => /[.eE]/.test(text(n));
  for (const [i, { cond, value }] of lambda.steps.entries()) {
    const c = comparisonOf(cond, text);
    if (!c || !(c.op in MIRROR)) return undefined;
    const direct = channelOf(c.left);
    const mirrored = direct === undefined ? channelOf(c.right) : undefined;
    const channel = direct ?? mirrored;
    const threshold = direct !== undefined ? number(c.right) : number(c.left);
    const comparison = direct !== undefined ? (c.op as Comparison) : MIRROR[c.op]!;
    const label = number(value);
    if (channel === undefined || threshold === undefined || label === undefined) return undefined;
    if (i > 0 && (threshold !== rules.threshold || comparison !== rules.comparison)) return undefined;
    rules.channels.push(channel);
    rules.labels.push(label);
    rules.threshold = threshold;
    rules.comparison = comparison;
  }
  const background = number(lambda.last);
  if (background === undefined) return undefined;
  const dtype = [...lambda.steps.map((s) => s.value), lambda.last].some(floatLiteral) ? 'float32' : 'int32';
  return { ...rules, background, dtype };
}
