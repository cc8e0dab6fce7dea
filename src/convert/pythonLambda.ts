/**
 * The parsed form of a one-argument Python lambda whose body is a chain of nested `torch.where` calls, shared
 * by the recognisers of the Lambdad forms `bundle convert` writes as declared transforms (labelMapping.ts,
 * channelRules.ts). Parsed with the Python grammar, never matched as text.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';

const WHERE = new Set(['torch.where', 'np.where', 'numpy.where']);

/** A node's children without punctuation and the `lambda` keyword. */
export function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (!/^[(),:.]$|^lambda$/.test(c.name)) out.push(c);
  return out;
}

export interface WhereLambda {
  /** the lambda's parameter name */
  x: string;
  text: (n: SyntaxNode) => string;
  /** a numeric literal (with an optional minus sign), else undefined */
  number: (n: SyntaxNode) => number | undefined;
  /** the `torch.where(cond, value, rest)` steps, outermost first */
  steps: Array<{ cond: SyntaxNode; value: SyntaxNode }>;
  /** what the innermost where gives where no condition holds */
  last: SyntaxNode;
}

/** `lambda x: where(c1, v1, where(c2, v2, ... last))`, or undefined for any other source. */
export function whereLambdaOf(source: string): WhereLambda | undefined {
  const code = source.trim().replace(/^\$/, '');
  const tree = parser.parse(code);
  let broken = false;
  tree.iterate({ enter: (n) => { if (n.type.isError) broken = true; } });
  const statement = tree.topNode.firstChild;
  const lambda = statement?.firstChild;
  if (broken || statement?.nextSibling || lambda?.name !== 'LambdaExpression') return undefined;
  const text = (n: SyntaxNode) => code.slice(n.from, n.to);
  const [params, body] = children(lambda);
  const names = params ? children(params) : [];
  if (names.length !== 1 || names[0]!.name !== 'VariableName' || !body) return undefined;
  const number = (n: SyntaxNode): number | undefined => {
    if (n.name === 'UnaryExpression' && text(n).startsWith('-')) {
      const v = number(n.lastChild!);
      return v === undefined ? undefined : -v;
    }
    return n.name === 'Number' && /^[\d.]+(e[+-]?\d+)?$/i.test(text(n)) ? Number(text(n)) : undefined;
  };
  const steps: WhereLambda['steps'] = [];
  let node = body;
  while (node.name === 'CallExpression') {
    const [callee, args] = children(node);
    if (!callee || !args || !WHERE.has(text(callee).replace(/\s/g, ''))) return undefined;
    const [cond, value, rest, extra] = children(args);
    if (!cond || !value || !rest || extra) return undefined;
    steps.push({ cond, value });
    node = rest;
  }
  return steps.length > 0 ? { x: text(names[0]!), text, number, steps, last: node } : undefined;
}

/** A comparison `left op right` as its three parts, else undefined. */
export function comparisonOf(node: SyntaxNode, text: (n: SyntaxNode) => string): { left: SyntaxNode; op: string; right: SyntaxNode } | undefined {
  if (node.name !== 'BinaryExpression') return undefined;
  const [left, op, right, extra] = children(node);
  if (!left || !op || !right || extra || op.name !== 'CompareOp') return undefined;
  return { left, op: text(op), right };
}
