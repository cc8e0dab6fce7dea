/**
 * Translates the Python of a MONAI `$` expression into the JSONata of this interpreter's dialect, from
 * the syntax tree of `@lezer/python` (a maintained, pure-JS Python parser). Each node becomes a piece
 * of JSONata with the Python type it holds (see jsonataCode.ts); `+`, `len`, indexing and slicing are
 * chosen from those types, which come from the raw values the references name. A form without a
 * faithful translation throws `Untranslatable` with what to write instead: nothing is guessed.
 */
import { parser } from '@lezer/python';
import type { SyntaxNode } from '@lezer/common';
import { translateCall, type CallTranslator } from './pythonCalls.js';
import { arrayItem, compound, EMITTED_FUNCTIONS, field, keepList, literal, operand, Untranslatable, type Code, type PyType } from './jsonataCode.js';
import { PLACEHOLDER, pythonStringValue, substituteReferences, unescape } from './pythonSource.js';

export interface TranslateContext {
  /** the Python type of the value a reference names (`@a::b`), from the raw configs */
  typeOfRef(ref: string): PyType;
  /** for a reference to a list: the type all its items share, when they do */
  itemTypeOfRef?(ref: string): PyType | undefined;
}

export class Translator implements CallTranslator {
  readonly refs: string[];
  private readonly scopes: Array<Map<string, { name: string; type: PyType }>> = [];

  constructor(
    readonly source: string,
    private readonly python: string,
    refs: string[],
    readonly context: TranslateContext,
  ) {
    this.refs = refs;
  }

  text(node: SyntaxNode): string {
    return this.python.slice(node.from, node.to);
  }

  /** The original text of a node, with references written back. */
  original(node: SyntaxNode): string {
    return this.text(node).replace(/__ref(\d+)/g, (all, k: string) => this.refs[Number(k)] ?? all);
  }

  fail(node: SyntaxNode, why: string, instead: string): never {
    throw new Untranslatable(`"${this.original(node)}": ${why}`, instead);
  }

  /** Children that carry meaning (punctuation and keywords dropped). */
  parts(node: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) if (!/^[[\](){}:,.=]$|^(for|in|if|else|not|is|and|or|lambda|\*\*?)$/.test(c.name)) out.push(c);
    return out;
  }

  /** Binds Python loop variables to JSONata variables for the duration of `work`. */
  withScope<T>(names: string[], types: PyType[], work: (vars: string[]) => T): T {
    const scope = new Map<string, { name: string; type: PyType }>();
    const vars = names.map((n, i) => {
      const name = EMITTED_FUNCTIONS.has(n) || n.startsWith('__') ? `${n.replace(/^_+/, '')}_v` : n;
      scope.set(n, { name: `$${name}`, type: types[i] ?? 'unknown' });
      return `$${name}`;
    });
    this.scopes.push(scope);
    try {
      return work(vars);
    } finally {
      this.scopes.pop();
    }
  }

  expr(node: SyntaxNode): Code {
    switch (node.name) {
      case 'ParenthesizedExpression': {
        const inner = this.parts(node);
        if (inner.length !== 1) this.fail(node, 'is not a single expression', 'write it as one JSONata expression');
        return this.expr(inner[0]!);
      }
      case 'VariableName':
        return this.variable(node);
      case 'String':
        return literal(this.stringValue(node));
      case 'ContinuedString':
        return literal(this.parts(node).map((p) => this.stringValue(p)).join(''));
      case 'FormatString':
        return this.formatString(node);
      case 'Number': {
        const value = Number(this.text(node).replace(/_/g, ''));
        if (!Number.isFinite(value)) this.fail(node, 'is not a number JSONata can write', 'write the number in decimal');
        return literal(value);
      }
      case 'Boolean':
        return literal(this.text(node) === 'True');
      case 'None':
        return literal(null);
      case 'ArrayExpression':
      case 'TupleExpression': {
        const codes = this.parts(node).map((p) => this.expr(p));
        const items = codes.map((c, i) => arrayItem(c, `${i} of "${this.original(node)}"`));
        const itemType = codes.length > 0 && codes.every((c) => c.type === codes[0]!.type) ? codes[0]!.type : undefined;
        if (codes.every((c) => c.literal)) return { ...literal(codes.map((c) => c.literal!.value)), arrayConstructor: true, itemType };
        return { code: `[${items.join(', ')}]`, type: 'list', arrayConstructor: true, itemType };
      }
      case 'DictionaryExpression':
        return this.dictionary(node);
      case 'UnaryExpression':
        return this.unary(node);
      case 'BinaryExpression':
        return this.binary(node);
      case 'ConditionalExpression': {
        const [body, test, orelse] = this.parts(node).map((p) => this.expr(p));
        const type = body!.type === orelse!.type ? body!.type : body!.type === 'null' ? orelse!.type : orelse!.type === 'null' ? body!.type : 'unknown';
        return compound(`${operand(test!)} ? ${operand(body!)} : ${operand(orelse!)}`, type);
      }
      case 'MemberExpression':
        return this.member(node);
      case 'CallExpression':
        return translateCall(this, node);
      case 'ArrayComprehensionExpression':
        return this.comprehension(node, false);
      case 'SetComprehensionExpression':
        return this.comprehension(node, true);
      case 'LambdaExpression':
        this.fail(node, 'a Python lambda is code, which configs here cannot hold', 'use a registered component with arguments (e.g. a named transform), or a JSONata function "$function($x){ ... }" where a value is computed');
      // falls through (fail never returns)
      default:
        this.fail(node, `Python ${describeNode(node.name)} has no JSONata counterpart here`, 'rewrite the value in JSONata (see the README\'s porting table)');
    }
  }

  private stringValue(node: SyntaxNode): string {
    const value = pythonStringValue(this.text(node));
    if (value === undefined) this.fail(node, 'is not a string literal JSON can hold (incomplete, or bytes)', 'use a complete text string');
    return value;
  }

  private variable(node: SyntaxNode): Code {
    const name = this.text(node);
    const ref = PLACEHOLDER.exec(name);
    if (ref) {
      const id = this.refs[Number(ref[1])]!;
      return { code: id, type: this.context.typeOfRef(id), ref: id, itemType: this.context.itemTypeOfRef?.(id) };
    }
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const bound = this.scopes[s]!.get(name);
      if (bound) return { code: bound.name, type: bound.type };
    }
    this.fail(node, `the Python name "${name}" is not a reference or a loop variable`, 'refer to config values with @id; Python modules and globals are not reachable');
  }

  private formatString(node: SyntaxNode): Code {
    const raw = this.text(node);
    const quote = /^[a-zA-Z]*("""|'''|"|')/.exec(raw)!;
    const pieces: string[] = [];
    let at = node.from + quote[0].length;
    const end = node.to - quote[1]!.length;
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name !== 'FormatReplacement') continue;
      if (c.from > at) pieces.push(literal(unescape(this.python.slice(at, c.from).replace(/\{\{/g, '{').replace(/\}\}/g, '}'))).code);
      const inner = this.parts(c).filter((p) => p.name !== 'FormatSpec' && p.name !== 'FormatConversion');
      if (inner.length !== this.parts(c).length || inner.length !== 1) this.fail(c, 'format specifications are not translated', 'format numbers with $formatNumber or $string');
      const value = this.expr(inner[0]!);
      pieces.push(value.type === 'string' ? operand(value) : `$string(${value.code})`);
      at = c.to;
    }
    if (end > at) pieces.push(literal(unescape(this.python.slice(at, end).replace(/\{\{/g, '{').replace(/\}\}/g, '}'))).code);
    if (pieces.length === 0) return literal('');
    return pieces.length === 1 ? { code: pieces[0]!, type: 'string' } : compound(pieces.join(' & '), 'string');
  }

  private dictionary(node: SyntaxNode): Code {
    const entries: string[] = [];
    const spreads: string[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === '**') {
        c = c.nextSibling!;
        spreads.push(this.expr(c).code);
        continue;
      }
      if (c.name === '{' || c.name === '}' || c.name === ',' || c.name === ':') continue;
      const key = this.expr(c);
      c = c.nextSibling!; // ':'
      c = c.nextSibling!;
      const value = this.expr(c);
      if (key.type !== 'string') this.fail(node, 'JSON objects have string keys only', 'use string keys');
      entries.push(`${key.code}: ${value.code}`);
    }
    const object = `{${entries.join(', ')}}`;
    if (spreads.length === 0) return { code: object, type: 'dict' };
    return { code: `$merge([${[...spreads, ...(entries.length ? [object] : [])].join(', ')}])`, type: 'dict' };
  }

  private unary(node: SyntaxNode): Code {
    const op = node.firstChild!;
    const value = this.expr(node.lastChild!);
    if (op.name === 'not') return { code: `$not(${value.code})`, type: 'bool' };
    const sign = this.text(op);
    if (sign === '-' && value.literal && typeof value.literal.value === 'number') return literal(-value.literal.value);
    if (sign === '+' || sign === '-') return compound(`${sign}${operand(value)}`, 'number');
    this.fail(node, `the operator "${sign}" has no JSONata counterpart`, 'compute the value another way');
  }

  private binary(node: SyntaxNode): Code {
    const left = node.firstChild!;
    const ops: string[] = [];
    let right = left.nextSibling!;
    while (right.nextSibling) {
      ops.push(this.text(right));
      right = right.nextSibling;
    }
    const op = ops.join(' ');
    if (isComparison(op) && left.name === 'BinaryExpression' && isComparison(this.operatorOf(left))) {
      // Python chains comparisons: a < b < c is a < b and b < c
      const first = this.binary(left);
      const middle = this.expr(left.lastChild!);
      const last = this.expr(right);
      return compound(`${operand(first)} and ${operand(middle)} ${comparison(op, node, this)} ${operand(last)}`, 'bool');
    }
    const a = this.expr(left);
    const b = this.expr(right);
    switch (op) {
      case 'and':
      case 'or':
        return compound(`${operand(a)} ${op} ${operand(b)}`, a.type === b.type ? a.type : 'unknown');
      case '+':
        return this.plus(node, a, b);
      case '-':
        if (a.type === 'set' || b.type === 'set') {
          const difference = keepList(`$filter(${a.code}, function($__v){ $not($__v in ${operand(b)}) })`, a.itemType ?? 'unknown');
          return { ...difference, type: 'set', itemType: a.itemType };
        }
        return compound(`${operand(a)} - ${operand(b)}`, 'number');
      case '*':
        return this.times(node, a, b);
      case '/':
        return compound(`${operand(a)} / ${operand(b)}`, 'number');
      case '//':
        return { code: `$floor(${operand(a)} / ${operand(b)})`, type: 'number' };
      case '%':
        if (a.type === 'string') this.fail(node, 'Python %-formatting is not translated', 'join the parts with &');
        return compound(`${operand(a)} % ${operand(b)}`, 'number');
      case '**':
        return { code: `$power(${a.code}, ${b.code})`, type: 'number' };
      case 'in':
        return compound(`${operand(a)} in ${operand(b)}`, 'bool');
      case 'not in':
        return { code: `$not(${operand(a)} in ${operand(b)})`, type: 'bool' };
      default:
        if (isComparison(op)) return compound(`${operand(a)} ${comparison(op, node, this)} ${operand(b)}`, 'bool');
        this.fail(node, `the operator "${op}" has no JSONata counterpart`, 'compute the value another way');
    }
  }

  private operatorOf(node: SyntaxNode): string {
    const ops: string[] = [];
    for (let c = node.firstChild!.nextSibling; c && c.nextSibling; c = c.nextSibling) ops.push(this.text(c));
    return ops.join(' ');
  }

  private plus(node: SyntaxNode, a: Code, b: Code): Code {
    const types = new Set([a.type, b.type]);
    if (types.has('string')) return { ...compound(`${a.concat ? a.code : operand(a)} & ${operand(b)}`, 'string'), concat: true };
    if (types.has('list')) return { code: `$append(${a.code}, ${b.code})`, type: 'list' };
    if ([...types].every((t) => t === 'number' || t === 'bool')) return compound(`${operand(a)} + ${operand(b)}`, 'number');
    this.fail(
      node,
      `cannot tell whether "+" joins strings, joins lists or adds numbers (${a.type} + ${b.type})`,
      'write a & b to join strings, $append(a, b) to join lists, a + b to add numbers',
    );
  }

  private times(node: SyntaxNode, a: Code, b: Code): Code {
    const [list, count] = a.type === 'list' ? [a, b] : b.type === 'list' ? [b, a] : [undefined, undefined];
    if (!list) return compound(`${operand(a)} * ${operand(b)}`, 'number');
    const items = list.arrayConstructor ? this.parts(node.firstChild!.name === 'ArrayExpression' ? node.firstChild! : node.lastChild!) : [];
    if (items.length !== 1) this.fail(node, 'repeating a list of several items is not translated', 'write the list out, or $map([1..n], function(){ item })');
    const item = this.expr(items[0]!);
    return keepList(`$map([1..${operand(count!)}], function(){ ${item.code} })`, item.type);
  }

  private member(node: SyntaxNode): Code {
    const receiverNode = node.firstChild!;
    const second = receiverNode.nextSibling!;
    if (second.name === '.') {
      return translateCall(this, node);
    }
    const receiver = this.expr(receiverNode);
    const inside: SyntaxNode[] = [];
    let colons = 0;
    for (let c = second.nextSibling; c && c.name !== ']'; c = c.nextSibling) {
      if (c.name === ':') colons++;
      else inside.push(c);
    }
    if (colons > 0) return this.slice(node, receiver, second.nextSibling!, colons);
    if (inside.length !== 1) this.fail(node, 'indexing with several subscripts is not translated', 'index one level at a time');
    const key = this.expr(inside[0]!);
    if (key.type === 'string' && key.literal) return field(receiver, key.literal.value as string, 'unknown');
    if (key.type === 'string') return { code: `$lookup(${receiver.code}, ${key.code})`, type: 'unknown' };
    if (receiver.type === 'string') return { code: `$substring(${receiver.code}, ${key.code}, 1)`, type: 'string' };
    if (receiver.type === 'dict') this.fail(node, 'a dict indexed by a non-string key', 'use string keys');
    return { code: `${operand(receiver)}[${key.code}]`, type: 'unknown' };
  }

  private slice(node: SyntaxNode, receiver: Code, first: SyntaxNode, colons: number): Code {
    if (colons > 1) this.fail(node, 'slices with a step are not translated', 'write the indices out, or $filter(list, function($v, $i){ ... })');
    let start: Code | undefined;
    let stop: Code | undefined;
    let seenColon = false;
    for (let c: SyntaxNode | null = first; c && c.name !== ']'; c = c.nextSibling) {
      if (c.name === ':') seenColon = true;
      else if (seenColon) stop = this.expr(c);
      else start = this.expr(c);
    }
    const bound = (b: Code | undefined, fallback: string): string => {
      if (!b) return fallback;
      if (b.literal && typeof b.literal.value === 'number') return b.literal.value < 0 ? `$__n - ${-b.literal.value}` : b.code;
      return `(${operand(b)} < 0 ? $__n + ${operand(b)} : ${operand(b)})`;
    };
    const from = bound(start, '0');
    const to = bound(stop, '$__n');
    if (receiver.type === 'string') {
      const length = from === '0' ? to : `(${to}) - (${from})`;
      return { code: `( $__s := ${receiver.code}; $__n := $length($__s); $substring($__s, ${from}, ${length}) )`, type: 'string' };
    }
    if (receiver.type !== 'list' && receiver.type !== 'unknown') this.fail(node, `slicing a ${receiver.type}`, 'slice a list or a string');
    const kept = keepList(`$filter($__s, function($__v, $__i){ $__i >= ${from} and $__i < ${to} })`, receiver.itemType ?? 'unknown');
    return { code: `( $__s := ${receiver.code}; $__n := $count($__s); ${kept.code} )`, type: 'list', itemType: receiver.itemType };
  }

  private comprehension(node: SyntaxNode, asSet: boolean): Code {
    const kids = this.parts(node);
    const fors = [...childrenNamed(node, 'for')];
    if (fors.length !== 1) this.fail(node, 'comprehensions with several "for" clauses are not translated', 'nest $map calls');
    const element = kids[0]!;
    // targets: the names between "for" and "in"; then the iterable; then optional conditions
    const targets: SyntaxNode[] = [];
    let c = fors[0]!.nextSibling;
    for (; c && c.name !== 'in'; c = c.nextSibling) if (c.name === 'VariableName') targets.push(c);
    else if (c.name !== ',' && c.name !== '(' && c.name !== ')' && c.name !== 'TupleExpression') this.fail(node, 'only plain loop variables are translated', 'loop over names: for a, b in zip(...)');
    else if (c.name === 'TupleExpression') targets.push(...this.parts(c));
    const iterableNode = c!.nextSibling!;
    const conditions: SyntaxNode[] = [];
    for (let d = iterableNode.nextSibling; d; d = d.nextSibling) if (d.name === 'if') conditions.push(d.nextSibling!);
    const names = targets.map((t) => this.text(t));
    const iterable = this.iterable(iterableNode, names.length);
    const tupleVar = names.length > 1;
    const body = (element: SyntaxNode, vars: string[]): string => {
      const value = this.expr(element);
      const unpack = tupleVar ? vars.map((v, i) => `${v} := $__item[${i}]; `).join('') : '';
      return tupleVar ? `( ${unpack}${value.code} )` : value.code;
    };
    return this.withScope(names, iterable.itemTypes, (vars) => {
      const param = tupleVar ? '$__item' : vars[0]!;
      let source = iterable.code;
      for (const cond of conditions) source = `$filter(${source}, function(${param}){ ${body(cond, vars)} })`;
      const value = this.expr(element);
      const mapped = `$map(${source}, function(${param}){ ${body(element, vars)} })`;
      const list = { ...keepList(mapped, value.type), itemType: value.type };
      return asSet ? { code: `$distinct(${list.code})`, type: 'set', itemType: value.type } : list;
    });
  }

  /** The iterable of a comprehension, and the types its items bind to the loop variables. */
  private iterable(node: SyntaxNode, arity: number): { code: string; itemTypes: PyType[] } {
    if (node.name === 'CallExpression' && this.text(node.firstChild!) === 'zip') {
      const args = this.parts(node.lastChild!).map((a) => this.expr(a));
      if (args.length !== arity) this.fail(node, 'zip over a different number of lists than loop variables', 'unpack as many names as zip has lists');
      return { code: `$zip(${args.map((a) => a.code).join(', ')})`, itemTypes: args.map((a) => a.itemType ?? 'unknown') };
    }
    if (node.name === 'CallExpression' && this.text(node.firstChild!) === 'enumerate') {
      this.fail(node, 'enumerate is not translated', 'use $map(list, function($v, $i){ ... }) (value first, then index)');
    }
    const value = this.expr(node);
    if (value.type === 'string' || value.type === 'number' || value.type === 'dict') {
      this.fail(node, `iterating over a ${value.type} is not translated`, 'iterate over a list');
    }
    return { code: value.code, itemTypes: new Array<PyType>(arity).fill(arity > 1 ? 'unknown' : (value.itemType ?? 'unknown')) };
  }
}

function* childrenNamed(node: SyntaxNode, name: string): Generator<SyntaxNode> {
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name === name) yield c;
}

function isComparison(op: string): boolean {
  return ['==', '!=', '<', '<=', '>', '>=', 'is', 'is not'].includes(op);
}

function comparison(op: string, node: SyntaxNode, t: Translator): string {
  if (op === '==' || op === 'is') return '=';
  if (op === 'is not') return '!=';
  if (op === '<>') t.fail(node, '"<>" is not Python 3', 'write !=');
  return op;
}

function describeNode(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export interface ParsedPython {
  translator: Translator;
  /** the expression node, or undefined for a statement (import, assignment) */
  node?: SyntaxNode;
  statement?: string;
}

/** Parses the text after `$`; a syntax error is reported as untranslatable. */
export function parsePython(source: string, context: TranslateContext): ParsedPython {
  const { code, refs } = substituteReferences(source);
  const tree = parser.parse(code);
  const translator = new Translator(source, code, refs, context);
  let error: SyntaxNode | undefined;
  tree.iterate({ enter: (n) => { if (n.type.isError && !error) error = n.node; } });
  if (error) throw new Untranslatable(`"${source}" is not a Python expression the parser accepts (near column ${error.from + 1})`, 'fix the expression or write the JSONata by hand');
  const script = tree.topNode;
  const statements = translator.parts(script);
  if (statements.length !== 1) throw new Untranslatable(`"${source}" holds ${statements.length} statements`, 'write one expression');
  const statement = statements[0]!;
  if (statement.name !== 'ExpressionStatement') return { translator, statement: statement.name };
  return { translator, node: statement.firstChild! };
}
