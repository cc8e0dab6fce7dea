/**
 * Recognises the label-mapping form of a MONAI `Lambdad` function, so that `bundle convert` can write
 * MONAI's own declared transform for it (MapLabelValued: orig_labels -> target_labels, other values kept):
 *
 *     lambda x: torch.where(x == a1, b1, torch.where(x == a2, b2, ... x))     (np.where / numpy.where too)
 *
 * Each condition compares the input itself with a number, each value is a number, and the innermost
 * "else" is the input unchanged. Every condition is tested on the input, as MapLabelValued does; the
 * outermost test wins, so a repeated original label keeps its first target. Anything else (other
 * comparisons, a constant "else") is not this form; channel selections such as x[[2]] > 0 are
 * channelRules.ts's form.
 */
import { comparisonOf, whereLambdaOf } from './pythonLambda.js';

export interface LabelMapping {
  origLabels: number[];
  targetLabels: number[];
}

export function labelMappingOf(source: string): LabelMapping | undefined {
  const lambda = whereLambdaOf(source);
  if (!lambda) return undefined;
  const { x, text, number } = lambda;
  const mapping: LabelMapping = { origLabels: [], targetLabels: [] };
  for (const { cond, value } of lambda.steps) {
    const c = comparisonOf(cond, text);
    if (!c || c.op !== '==') return undefined;
    const label = text(c.left) === x ? number(c.right) : text(c.right) === x ? number(c.left) : undefined;
    const target = number(value);
    if (label === undefined || target === undefined) return undefined;
    if (!mapping.origLabels.includes(label)) {
      mapping.origLabels.push(label);
      mapping.targetLabels.push(target);
    }
  }
  return lambda.last.name === 'VariableName' && text(lambda.last) === x ? mapping : undefined;
}
