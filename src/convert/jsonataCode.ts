/**
 * The pieces of JSONata the translator writes, with the Python type each stands for. Python's `+`,
 * `len` and indexing mean different things for strings and lists, and JSONata's array constructor
 * flattens array items, so every piece carries what it is known to hold.
 */

export type PyType = 'string' | 'list' | 'set' | 'number' | 'bool' | 'dict' | 'null' | 'component' | 'unknown';

export interface Code {
  code: string;
  type: PyType;
  /** true when `code` needs parentheses as an operand (binary, conditional) */
  compound?: boolean;
  /** true for a JSONata array constructor `[...]`, which an enclosing constructor keeps as one item */
  arrayConstructor?: boolean;
  /** the reference, when the code is exactly one `@id` */
  ref?: string;
  /** the value, when the code is a literal */
  literal?: { value: unknown };
  /** for a list: the type of its items, when known */
  itemType?: PyType;
  /** true for a chain of `&`, which needs no parentheses as the left operand of another `&` */
  concat?: boolean;
}

/** Thrown for a Python form with no faithful JSONata; the converter turns it into a report entry. */
export class Untranslatable extends Error {
  constructor(
    readonly why: string,
    readonly instead: string,
  ) {
    super(why);
  }
}

export function operand(c: Code): string {
  return c.compound ? `(${c.code})` : c.code;
}

/** A JSONata string literal; single quotes unless the text holds one (JSONata has no `\'` escape). */
export function stringLiteral(value: string): string {
  if (!value.includes("'")) return `'${JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"')}'`;
  return JSON.stringify(value);
}

export function literal(value: unknown): Code {
  if (typeof value === 'string') return { code: stringLiteral(value), type: 'string', literal: { value } };
  if (typeof value === 'number') return { code: String(value), type: 'number', literal: { value } };
  if (typeof value === 'boolean') return { code: String(value), type: 'bool', literal: { value } };
  if (value === null) return { code: 'null', type: 'null', literal: { value } };
  if (Array.isArray(value)) return { code: `[${value.map((v) => literal(v).code).join(', ')}]`, type: 'list', literal: { value } };
  return { code: JSON.stringify(value), type: 'dict', literal: { value } };
}

export function compound(code: string, type: PyType): Code {
  return { code, type, compound: true };
}

export function call(name: string, args: Code[], type: PyType): Code {
  return { code: `$${name}(${args.map((a) => a.code).join(', ')})`, type };
}

/** An item of an array constructor: a list-valued item is wrapped so that JSONata does not splice it in. */
export function arrayItem(c: Code, where: string): string {
  if (c.type === 'list' || c.type === 'set') return c.arrayConstructor ? c.code : `[${c.code}]`;
  if (c.type === 'unknown') {
    throw new Untranslatable(
      `the list item ${where} may itself be a list, which JSONata's [...] would splice into the outer list`,
      'write the list in JSONata with [[@x], 1] for a list item @x (the inner brackets keep it whole), or [@x, 1] for a value',
    );
  }
  return c.code;
}

/**
 * The result of `$map`/`$filter` kept a list: JSONata unwraps one-item results and yields nothing for
 * none. `[...]` restores both when items are not lists; list items need `$append([], ...[])`.
 */
export function keepList(code: string, itemType: PyType): Code {
  if (itemType === 'list' || itemType === 'set' || itemType === 'unknown') {
    return { code: `$append([], ${code}[])`, type: 'list' };
  }
  return { code: `[${code}]`, type: 'list', arrayConstructor: true };
}

/** JSONata function names the translator emits; a Python loop variable with one of these names is renamed. */
export const EMITTED_FUNCTIONS = new Set([
  'abs', 'append', 'basename', 'boolean', 'ceil', 'count', 'dirname', 'distinct', 'exists', 'filter', 'floor', 'glob', 'join',
  'keys', 'length', 'lookup', 'lowercase', 'map', 'max', 'merge', 'min', 'not', 'number', 'path_join', 'power', 'replace',
  'round', 'run', 'load_decathlon_datalist', 'sort', 'split', 'string', 'substring', 'sum', 'trim', 'uppercase', 'zip', 'reduce', 'reverse', 'each',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `x.key`, or x.`key` for a key that is not a JSONata name. */
export function field(receiver: Code, key: string, type: PyType): Code {
  const name = IDENTIFIER.test(key) && !['and', 'or', 'in', 'true', 'false', 'null', 'function'].includes(key) ? key : `\`${key}\``;
  return { code: `${operand(receiver)}.${name}`, type };
}
