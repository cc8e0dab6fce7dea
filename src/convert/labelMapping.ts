/**
 * Recognises the label-mapping form of a MONAI `Lambdad` function, so that `bundle convert` can write
 * MONAI's own declared transform for it (MapLabelValued: orig_labels -> target_labels, other values kept):
 *
 *     lambda x: torch.where(x == a1, b1, torch.where(x == a2, b2, ... x))     (np.where / numpy.where too)
 *
 * Each condition compares the input itself with a number, each value is a number, and the innermost
 * "else" is the input unchanged. Every condition is tested on the input, as MapLabelValued does; the
 * outermost test wins, so a repeated original label keeps its first target. Anything else (other
 * comparisons, channel selections such as x[[2]] > 0, a constant "else") is not this form: the caller
 * reports it as untranslatable.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';

export interface LabelMapping {
  origLabels: number[];
  targetLabels: number[];
}

const WHERE = new Set(['torch.where', 'np.where', 'numpy.where']);

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (!/^[(),:.]$|^lambda$/.test(c.name)) out.push(c);
  return out;
}

export function labelMappingOf(source: string): LabelMapping | undefined {
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
  const x = text(names[0]!);
  const number = (n: SyntaxNode): number | undefined => {
    if (n.name === 'UnaryExpression' && text(n).startsWith('-')) {
      const v = number(n.lastChild!);
      return v === undefined ? undefined : -v;
    }
    return n.name === 'Number' && /^[\d.]+(e[+-]?\d+)?$/i.test(text(n)) ? Number(text(n)) : undefined;
  };
  const mapping: LabelMapping = { origLabels: [], targetLabels: [] };
  let node = body;
  while (node.name === 'CallExpression') {
    const [callee, args] = children(node);
    if (!callee || !args || !WHERE.has(text(callee).replace(/\s/g, ''))) return undefined;
    const [cond, value, rest, extra] = children(args);
    if (!cond || !value || !rest || extra || cond.name !== 'BinaryExpression') return undefined;
    const [left, op, right] = children(cond);
    if (!left || !op || !right || op.name !== 'CompareOp' || text(op) !== '==') return undefined;
    const label = text(left) === x ? number(right) : text(right) === x ? number(left) : undefined;
    const target = number(value);
    if (label === undefined || target === undefined) return undefined;
    if (!mapping.origLabels.includes(label)) {
      mapping.origLabels.push(label);
      mapping.targetLabels.push(target);
    }
    node = rest;
  }
  return node.name === 'VariableName' && text(node) === x && mapping.origLabels.length > 0 ? mapping : undefined;
}
