/**
 * Calls and attribute accesses of MONAI expressions: Python builtins, `os.path`, `glob`, dtype and
 * CommonKeys constants, and `@component.run()`. Each maps onto a JSONata function or a registered host
 * function (`$path_join`, `$glob`, `$run`, ...); anything else is untranslatable.
 */
import type { SyntaxNode } from '@lezer/common';
import { call, compound, keepList, literal, operand, Untranslatable, type Code, type PyType } from './jsonataCode.js';

export interface CallTranslator {
  expr(node: SyntaxNode): Code;
  text(node: SyntaxNode): string;
  original(node: SyntaxNode): string;
  parts(node: SyntaxNode): SyntaxNode[];
  fail(node: SyntaxNode, why: string, instead: string): never;
}

const DTYPES: Record<string, string> = {
  float32: 'float32', float: 'float32', float16: 'float16', half: 'float16', float64: 'float64', double: 'float64',
  int8: 'int8', int16: 'int16', int32: 'int32', int: 'int32', int64: 'int64', long: 'int64', uint8: 'uint8', bool: 'bool', bool_: 'bool',
};

const COMMON_KEYS: Record<string, string> = { IMAGE: 'image', LABEL: 'label', PRED: 'pred', LOSS: 'loss', METADATA: 'metadata' };

/** `a.b.c` for a chain of names, or undefined when the chain starts at something else. */
export function dottedName(t: CallTranslator, node: SyntaxNode): string | undefined {
  if (node.name === 'VariableName') return t.text(node);
  if (node.name !== 'MemberExpression' || node.firstChild!.nextSibling!.name !== '.') return undefined;
  const head = dottedName(t, node.firstChild!);
  return head === undefined ? undefined : `${head}.${t.text(node.lastChild!)}`;
}

/** A constant Python attribute: a dtype, a CommonKeys name, pi. */
export function constantOf(name: string): unknown {
  const dtype = /^(?:torch|np|numpy)\.(\w+)$/.exec(name);
  if (dtype && DTYPES[dtype[1]!]) return DTYPES[dtype[1]!];
  const key = /^monai\.utils\.(?:enums\.)?CommonKeys\.(\w+)$/.exec(name);
  if (key && COMMON_KEYS[key[1]!]) return COMMON_KEYS[key[1]!];
  if (/^(?:np|numpy|math)\.pi$/.test(name)) return Math.PI;
  return undefined;
}

interface Arguments {
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
}

function argumentsOf(t: CallTranslator, argList: SyntaxNode): Arguments {
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  for (let c = argList.firstChild; c; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')' || c.name === ',') continue;
    if (c.nextSibling?.name === 'AssignOp') {
      keywords.set(t.text(c), c.nextSibling.nextSibling!);
      c = c.nextSibling.nextSibling!;
      continue;
    }
    if (c.name === '*' || c.name === '**') t.fail(argList, 'argument unpacking is not translated', 'pass the arguments one by one');
    positional.push(c);
  }
  return { positional, keywords };
}

export function translateCall(t: CallTranslator, node: SyntaxNode): Code {
  if (node.name === 'MemberExpression') {
    const name = dottedName(t, node);
    const constant = name === undefined ? undefined : constantOf(name);
    if (constant !== undefined) return literal(constant);
    t.fail(node, 'attributes of Python objects and modules are not reachable', 'refer to config values with @id and write constants as literals');
  }
  const callee = node.firstChild!;
  const args = argumentsOf(t, node.lastChild!);
  if (callee.name === 'MemberExpression' && callee.firstChild!.nextSibling!.name === '.') {
    const method = t.text(callee.lastChild!);
    const receiverNode = callee.firstChild!;
    const name = dottedName(t, callee);
    if (name !== undefined && !/^__ref\d+$/.test(name.split('.')[0]!)) return moduleCall(t, node, name, args);
    return methodCall(t, node, receiverNode, method, args);
  }
  if (callee.name !== 'VariableName') t.fail(node, 'calling a computed value is not translated', 'call a JSONata function');
  return builtinCall(t, node, t.text(callee), args);
}

function only(t: CallTranslator, node: SyntaxNode, args: Arguments, count: number[], keywords: string[] = []): Code[] {
  if (!count.includes(args.positional.length)) t.fail(node, `takes ${count.join(' or ')} positional argument(s) here`, 'see the README\'s porting table');
  for (const k of args.keywords.keys()) if (!keywords.includes(k)) t.fail(node, `the keyword argument "${k}" is not translated`, 'write the JSONata by hand');
  return args.positional.map((a) => t.expr(a));
}

function builtinCall(t: CallTranslator, node: SyntaxNode, name: string, args: Arguments): Code {
  switch (name) {
    case 'len': {
      const [x] = only(t, node, args, [1]);
      return call(x!.type === 'string' ? 'length' : 'count', [x!], 'number');
    }
    case 'list':
    case 'tuple': {
      const [x] = only(t, node, args, [1]);
      if (x!.type === 'string' || x!.type === 'dict') t.fail(node, `${name}() of a ${x!.type} is not translated`, 'use $split(s, "") for characters or $keys(d) for keys');
      return { ...x!, type: 'list' };
    }
    case 'set': {
      const [x] = only(t, node, args, [1]);
      return { code: `$distinct(${x!.code})`, type: 'set', itemType: x!.itemType };
    }
    case 'sorted': {
      const [x] = only(t, node, args, [1]);
      if (isGlob(t, args.positional[0]!)) return { ...x!, type: 'list' };
      return keepList(`$sort(${x!.code})`, 'unknown');
    }
    case 'range':
      return range(t, node, only(t, node, args, [1, 2]));
    case 'zip': {
      const xs = only(t, node, args, [2, 3, 4]);
      return call('zip', xs, 'list');
    }
    case 'str':
      return call('string', only(t, node, args, [1]), 'string');
    case 'float':
      return call('number', only(t, node, args, [1]), 'number');
    case 'bool':
      return call('boolean', only(t, node, args, [1]), 'bool');
    case 'int': {
      const [x] = only(t, node, args, [1]);
      if (x!.type === 'string') return call('number', [x!], 'number');
      return compound(`${operand(x!)} < 0 ? $ceil(${x!.code}) : $floor(${x!.code})`, 'number');
    }
    case 'abs':
    case 'sum':
      return call(name, only(t, node, args, [1]), 'number');
    case 'round': {
      const xs = only(t, node, args, [1, 2]);
      return call('round', xs, 'number');
    }
    case 'min':
    case 'max': {
      const xs = only(t, node, args, [1, 2, 3, 4]);
      return xs.length === 1 ? call(name, xs, 'number') : { code: `$${name}([${xs.map((x) => x.code).join(', ')}])`, type: 'number' };
    }
    default:
      t.fail(node, `the Python function "${name}" is not available`, 'use a JSONata function ($count, $string, $sum, ...) or a registered component');
  }
}

function range(t: CallTranslator, node: SyntaxNode, xs: Code[]): Code {
  const [start, stop] = xs.length === 1 ? [literal(0), xs[0]!] : [xs[0]!, xs[1]!];
  const last = stop.literal && typeof stop.literal.value === 'number' ? String(stop.literal.value - 1) : `${operand(stop)} - 1`;
  const code = stop.literal ? `[${start.code}..${last}]` : `[${start.code}..(${last})]`;
  if (start.type !== 'number' && !start.literal) t.fail(node, 'range bounds must be numbers', 'write [a..b]');
  return { code, type: 'list', arrayConstructor: true, itemType: 'number' };
}

function isGlob(t: CallTranslator, node: SyntaxNode): boolean {
  if (node.name !== 'CallExpression') return false;
  const name = dottedName(t, node.firstChild!);
  if (name === 'glob.glob') return true;
  return (name === 'list' || name === 'sorted') && isGlob(t, argumentsOf(t, node.lastChild!).positional[0] ?? node);
}

function moduleCall(t: CallTranslator, node: SyntaxNode, name: string, args: Arguments): Code {
  switch (name) {
    case 'os.path.join':
      return call('path_join', only(t, node, args, [2, 3, 4, 5, 6]), 'string');
    case 'os.path.basename':
      return call('basename', only(t, node, args, [1]), 'string');
    case 'os.path.dirname':
      return call('dirname', only(t, node, args, [1]), 'string');
    case 'glob.glob':
      return glob(t, node, args);
    case 'monai.data.load_decathlon_datalist':
    case 'load_decathlon_datalist':
      return decathlonDatalist(t, node, args);
    default:
      t.fail(node, `"${name}" is Python library code, which expressions cannot run`, 'use a registered component through "_target_" or a JSONata function');
  }
}

/** MONAI's (path, is_segmentation, data_list_key, base_dir), positional or keyword -> the host function's (path, {options}). */
function decathlonDatalist(t: CallTranslator, node: SyntaxNode, args: Arguments): Code {
  const names = ['data_list_file_path', 'is_segmentation', 'data_list_key', 'base_dir'];
  for (const k of args.keywords.keys()) if (!names.includes(k)) t.fail(node, `load_decathlon_datalist has no argument "${k}"`, `its arguments are ${names.join(', ')}`);
  if (args.positional.length > 4) t.fail(node, 'load_decathlon_datalist takes at most 4 arguments', `its arguments are ${names.join(', ')}`);
  const values = new Map<string, Code>();
  args.positional.forEach((a, i) => values.set(names[i]!, t.expr(a)));
  for (const [k, v] of args.keywords) values.set(k, t.expr(v));
  const path = values.get('data_list_file_path');
  if (!path) t.fail(node, 'load_decathlon_datalist needs the datalist file', 'pass the path first');
  const options = names.slice(1).filter((k) => values.has(k)).map((k) => `'${k}': ${values.get(k)!.code}`);
  return { code: `$load_decathlon_datalist(${path.code}${options.length ? `, {${options.join(', ')}}` : ''})`, type: 'list', itemType: 'dict' };
}

/** `glob.glob(folder + '/sub/*.nii.gz')` or `glob.glob(os.path.join(folder, pattern))` -> `$glob(folder, pattern)`. */
function glob(t: CallTranslator, node: SyntaxNode, args: Arguments): Code {
  only(t, node, args, [1]);
  const arg = args.positional[0]!;
  const joined = arg.name === 'CallExpression' && dottedName(t, arg.firstChild!) === 'os.path.join' ? argumentsOf(t, arg.lastChild!).positional : undefined;
  if (joined && joined.length >= 2) {
    const folder = t.expr(joined[0]!);
    const rest = joined.slice(1).map((p) => t.expr(p));
    const pattern = rest.length === 1 ? rest[0]! : call('path_join', rest, 'string');
    return { code: `$glob(${folder.code}, ${pattern.code})`, type: 'list', itemType: 'string' };
  }
  const parts = concatenation(t, arg);
  const last = parts[parts.length - 1]!;
  const wildcardAt = last.literal ? (last.literal.value as string).search(/[*?[]/) : -1;
  const cut = wildcardAt >= 0 ? (last.literal!.value as string).lastIndexOf('/', wildcardAt) : -1;
  if (cut < 0 || parts.slice(0, -1).some((p) => p.literal && /[*?[]/.test(p.literal.value as string))) {
    t.fail(node, 'the folder and the pattern of this glob cannot be told apart', 'write $glob(folder, pattern), e.g. $glob(@dataset_dir, "imagesTs/*.nii.gz")');
  }
  const text = last.literal!.value as string;
  const folderParts = [...parts.slice(0, -1), ...(cut > 0 ? [literal(text.slice(0, cut))] : [])];
  if (folderParts.length === 0) folderParts.push(literal('/'));
  const folder = folderParts.length === 1 ? folderParts[0]! : compound(folderParts.map(operand).join(' & '), 'string');
  return { code: `$glob(${folder.code}, ${literal(text.slice(cut + 1)).code})`, type: 'list', itemType: 'string' };
}

/** The operands of a chain of string `+`, in order. */
function concatenation(t: CallTranslator, node: SyntaxNode): Code[] {
  if (node.name === 'BinaryExpression' && t.text(node.firstChild!.nextSibling!) === '+') {
    const left = concatenation(t, node.firstChild!);
    const right = concatenation(t, node.lastChild!);
    if ([...left, ...right].some((p) => p.type === 'string')) return [...left, ...right];
  }
  if (node.name === 'ParenthesizedExpression') return concatenation(t, t.parts(node)[0]!);
  return [t.expr(node)];
}

const STRING_METHODS: Record<string, { fn: string; arity: number[]; type: PyType }> = {
  lower: { fn: 'lowercase', arity: [0], type: 'string' },
  upper: { fn: 'uppercase', arity: [0], type: 'string' },
  strip: { fn: 'trim', arity: [0], type: 'string' },
  replace: { fn: 'replace', arity: [2], type: 'string' },
  split: { fn: 'split', arity: [1], type: 'list' },
};

function methodCall(t: CallTranslator, node: SyntaxNode, receiverNode: SyntaxNode, method: string, args: Arguments): Code {
  const receiver = t.expr(receiverNode);
  if (method === 'run' && args.positional.length === 0 && args.keywords.size === 0 && receiver.ref) {
    return { code: `$run(${receiver.code})`, type: 'unknown' };
  }
  if (method === 'to' && receiver.ref) return receiver;
  if (method === 'keys' && args.positional.length === 0) return keepList(`$keys(${receiver.code})`, 'string');
  if (method === 'join' && receiver.type === 'string') {
    const [list] = only(t, node, args, [1]);
    return call('join', [list!, receiver], 'string');
  }
  const stringMethod = STRING_METHODS[method];
  if (stringMethod && receiver.type === 'string') {
    const xs = only(t, node, args, stringMethod.arity);
    return call(stringMethod.fn, [receiver, ...xs], stringMethod.type);
  }
  t.fail(node, `the method "${method}" of ${t.original(receiverNode)} cannot be called from an expression`, 'only $run(@component) calls a component (for "@x.run()"); other methods are Python code');
}

export { Untranslatable };
