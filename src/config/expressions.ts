/**
 * `$` expressions: JSONata 2 with every `@id` token in code (not inside string literals, comments, backtick
 * names or regex literals) bound to a variable. Each distinct source is scanned and compiled once. Every
 * evaluation runs under a time bound and a recursion-depth bound, enforced through JSONata's
 * evaluate entry/exit hooks against the budget of the evaluation currently running; host functions pause
 * the budget (their time is not the expression's). Sizes, regular expressions and allocating builtins are
 * bounded too: see expressionLimits.ts for why that holds for every builtin.
 */
import { createRequire } from 'node:module';
import type jsonataType from 'jsonata';

// Loaded on first use (synchronously, through require): commands that meet no expression start faster.
type Jsonata = typeof jsonataType;
const require = createRequire(import.meta.url);
let jsonataLib: Jsonata | undefined;
function jsonata(source: string): jsonataType.Expression {
  jsonataLib ??= require('jsonata') as Jsonata;
  return jsonataLib(source, { RegexEngine: SafeRegExp } as unknown as jsonataType.JsonataOptions);
}
import { BundleError } from '../errors/index.js';
import { boundedBuiltins, checkSize, clip, DEFAULT_SIZE_BOUNDS, LimitExceeded, SafeRegExp, type SizeBounds, type SizeCounter } from './expressionLimits.js';
import { parseRelative, type RelativeId } from './ids.js';
import { rejectPythonForms } from './pythonForms.js';
import { REFERENCE_TOKEN } from './sigils.js';

export interface ExpressionFunction {
  implementation: (...args: any[]) => unknown;
  /** JSONata signature, e.g. `<s+:s>` */
  signature?: string;
}

export interface ExpressionBounds extends SizeBounds {
  timeoutMs: number;
  maxDepth: number;
}

export const DEFAULT_BOUNDS: ExpressionBounds = { timeoutMs: 1000, maxDepth: 256, ...DEFAULT_SIZE_BOUNDS };

/**
 * Steps in flight at once (all branches of parallel constructors together) may reach this many times the
 * depth bound: a bound on recursion hidden in a parallel branch, which the depth count does not see.
 */
const IN_FLIGHT_FACTOR = 64;

export interface ReferenceToken {
  /** the token as written, e.g. `@#b` */
  text: string;
  relative: RelativeId;
}

export interface ScannedExpression {
  /** JSONata code with references replaced by `$__refN` */
  code: string;
  /** distinct references; the N-th is bound to `$__refN` */
  refs: ReferenceToken[];
  /** code with literals/comments blanked, for recognising Python forms */
  bare: string;
}

export interface PreparedExpression extends ScannedExpression {
  source: string;
  compiled: jsonataType.Expression;
}

const WORD_BEFORE_DIVISION = /[\p{L}\p{Nd}_)\]}"'`]/u;

/** Splits expression text into code and literals, and finds the `@id` tokens in code. */
export function scanExpression(source: string): ScannedExpression {
  let code = '';
  let bare = '';
  const refs: ReferenceToken[] = [];
  const index = new Map<string, number>();
  let lastSignificant = '';
  let i = 0;
  const n = source.length;
  const literal = (end: number): void => {
    const text = source.slice(i, end);
    code += text;
    bare += ' '.repeat(text.length);
    i = end;
  };
  while (i < n) {
    const c = source[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      literal(Math.min(j + 1, n));
      lastSignificant = c;
      continue;
    }
    if (c === '`') {
      const j = source.indexOf('`', i + 1);
      literal(j < 0 ? n : j + 1);
      lastSignificant = c;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const j = source.indexOf('*/', i + 2);
      literal(j < 0 ? n : j + 2);
      continue;
    }
    if (c === '/' && !WORD_BEFORE_DIVISION.test(lastSignificant)) {
      let j = i + 1;
      while (j < n && source[j] !== '/') j += source[j] === '\\' ? 2 : 1;
      j = Math.min(j + 1, n);
      while (j < n && /[a-z]/i.test(source[j]!)) j++;
      literal(j);
      lastSignificant = ')';
      continue;
    }
    if (c === '@') {
      REFERENCE_TOKEN.lastIndex = i;
      const m = REFERENCE_TOKEN.exec(source);
      if (m) {
        const text = m[0];
        let k = index.get(text);
        if (k === undefined) {
          k = refs.length;
          index.set(text, k);
          refs.push({ text, relative: parseRelative(text.slice(1)) });
        }
        const name = `$__ref${k}`;
        code += name;
        bare += name;
        i += text.length;
        lastSignificant = 'f';
        continue;
      }
    }
    code += c;
    bare += c;
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return { code, refs, bare };
}

// ---- evaluation budget ---------------------------------------------------------------------------------

interface Budget {
  start: number;
  /** nesting depth, not counting parallel siblings (items of one array or object constructor) */
  depth: number;
  /** counted entries not yet exited, per AST node: exits decrement only what their entries counted */
  counted: WeakMap<object, number>;
  /** every step in flight */
  inFlight: number;
  total: SizeCounter;
  bounds: ExpressionBounds;
}

const depthExceeded = (max: number): LimitExceeded =>
  new LimitExceeded('depth', `recursed deeper than ${max} levels`, '--expression_max_depth');
const timeExceeded = (max: number): LimitExceeded => new LimitExceeded('time', `took longer than ${max} ms`, '--expression_timeout');

let currentBudget: Budget | null = null;

/*
 * JSONata marks the 2nd..nth items of a constructor `isParallelCall` on the shared environment, so the
 * flag an entry sees may differ from the one its exit sees (the 2.2 depth leak): the decision is kept per
 * node from entry to exit instead.
 */
function onEntry(expr: object, _input: unknown, environment: { isParallelCall?: boolean }): void {
  const b = currentBudget;
  if (!b) return;
  if (++b.inFlight > b.bounds.maxDepth * IN_FLIGHT_FACTOR) throw depthExceeded(b.bounds.maxDepth);
  if (!environment.isParallelCall) {
    b.counted.set(expr, (b.counted.get(expr) ?? 0) + 1);
    if (++b.depth > b.bounds.maxDepth) throw depthExceeded(b.bounds.maxDepth);
  }
  if (Date.now() - b.start > b.bounds.timeoutMs) throw timeExceeded(b.bounds.timeoutMs);
}

function onExit(expr: object, _input: unknown, _environment: unknown, result: unknown): void {
  const b = currentBudget;
  if (!b) return;
  b.inFlight--;
  const n = b.counted.get(expr);
  if (n) {
    if (n === 1) b.counted.delete(expr);
    else b.counted.set(expr, n - 1);
    b.depth--;
  }
  if (Date.now() - b.start > b.bounds.timeoutMs) throw timeExceeded(b.bounds.timeoutMs);
  // a variable's value was measured where it was built (or is resolved config data): reading it allocates nothing
  if ((expr as { type?: string }).type !== 'variable') checkSize(result, b.bounds, b.total);
}

/** Runs `work` under a fresh budget, restoring the enclosing one afterwards. */
async function withBudget<T>(bounds: ExpressionBounds, work: () => Promise<T>): Promise<T> {
  const saved = currentBudget;
  currentBudget = { start: Date.now(), depth: 0, counted: new WeakMap(), inFlight: 0, total: { chars: 0, items: 0 }, bounds };
  try {
    return await work();
  } finally {
    currentBudget = saved;
  }
}

/** Host code runs outside any budget; the enclosing budget's clock is moved on by the time it took. */
function pauseBudget(fn: (...args: any[]) => unknown): (...args: any[]) => Promise<unknown> {
  return async function (this: unknown, ...args: unknown[]) {
    const saved = currentBudget;
    currentBudget = null;
    const t0 = Date.now();
    try {
      return await fn.apply(this, args);
    } finally {
      if (saved) saved.start += Date.now() - t0;
      currentBudget = saved;
    }
  };
}

export function isJsonataFunction(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    ((value as { _jsonata_lambda?: boolean })._jsonata_lambda === true || (value as { _jsonata_function?: boolean })._jsonata_function === true)
  );
}

/** Drops JSONata's sequence wrappers and turns `undefined` (no match) into null; other objects pass as they are. */
export function normalizeResult(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) {
    let changed = Object.hasOwn(value, 'sequence') || Object.hasOwn(value, 'keepSingleton');
    const items = value.map((v) => {
      const w = normalizeResult(v);
      if (w !== v) changed = true;
      return w;
    });
    return changed ? items : value;
  }
  return value;
}

interface JsonataError {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
  value?: unknown;
}

export class ExpressionEngine {
  private readonly prepared = new Map<string, PreparedExpression | BundleError>();
  /** compiled JSONata by rewritten code: `$@g1::a + @g1::b` and `$@g2::a + @g2::b` share one */
  private readonly compiledByCode = new Map<string, jsonataType.Expression>();
  private readonly callers = new Map<number, jsonataType.Expression>();
  private readonly wrapped: Array<[string, ExpressionFunction]>;
  readonly bounds: ExpressionBounds;

  constructor(bounds: Partial<ExpressionBounds> = DEFAULT_BOUNDS, functions: Record<string, ExpressionFunction> = {}) {
    const b: ExpressionBounds = { ...DEFAULT_BOUNDS, ...bounds };
    this.bounds = b;
    const bounded = Object.entries(boundedBuiltins(() => b)) as Array<[string, ExpressionFunction]>;
    const host = Object.entries(functions).map(([name, f]): [string, ExpressionFunction] => [name.replace(/^\$/, ''), { ...f, implementation: pauseBudget(f.implementation) }]);
    this.wrapped = [...bounded, ...host];
  }

  /** Scans, checks for Python forms and compiles `source` (the text after `$`), once per distinct source. */
  prepare(source: string): PreparedExpression {
    const hit = this.prepared.get(source);
    if (hit instanceof BundleError) throw hit;
    if (hit) return hit;
    try {
      const p = this.compileNew(source);
      this.prepared.set(source, p);
      return p;
    } catch (e) {
      if (e instanceof BundleError) this.prepared.set(source, e);
      throw e;
    }
  }

  private compileNew(source: string): PreparedExpression {
    const scanned = scanExpression(source);
    rejectPythonForms(scanned.bare, source);
    if (scanned.code.trim() === '') {
      throw new BundleError('expression_syntax', 'The expression is empty: "$" needs JSONata after it.', { location: { path: `$${source}` } });
    }
    let compiled = this.compiledByCode.get(scanned.code);
    if (compiled) return { ...scanned, source, compiled };
    try {
      compiled = jsonata(scanned.code);
    } catch (e) {
      const err = e as JsonataError;
      throw new BundleError('expression_syntax', `Invalid JSONata: ${this.describe(err, scanned)}.`, {
        location: { path: `$${source}` },
        cause: e,
      });
    }
    this.install(compiled);
    this.compiledByCode.set(scanned.code, compiled);
    return { ...scanned, source, compiled };
  }

  private install(compiled: jsonataType.Expression): void {
    compiled.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, onEntry);
    compiled.assign(Symbol.for('jsonata.__evaluate_exit') as unknown as string, onExit);
    for (const [name, f] of this.wrapped) compiled.registerFunction(name, f.implementation, f.signature);
  }

  /** Evaluates with `values[N]` bound to the N-th reference. Errors are `expression_error` without location. */
  async evaluate(p: PreparedExpression, values: readonly unknown[]): Promise<unknown> {
    const bindings: Record<string, unknown> = {};
    for (let k = 0; k < values.length; k++) bindings[`__ref${k}`] = values[k];
    try {
      return normalizeResult(await withBudget(this.bounds, () => p.compiled.evaluate(undefined, bindings)));
    } catch (e) {
      throw this.evaluationError(e, p);
    }
  }

  /** Calls a JSONata function value (or a plain JS function) with `args`, under a fresh budget. */
  async call(fn: unknown, args: unknown[]): Promise<unknown> {
    if (typeof fn === 'function') return normalizeResult(await fn(...args));
    let caller = this.callers.get(args.length);
    if (!caller) {
      caller = jsonata(`$__f(${args.map((_, k) => `$__a${k}`).join(', ')})`);
      this.install(caller);
      this.callers.set(args.length, caller);
    }
    const bindings: Record<string, unknown> = { __f: fn };
    args.forEach((a, k) => (bindings[`__a${k}`] = a));
    try {
      return normalizeResult(await withBudget(this.bounds, () => caller.evaluate(undefined, bindings)));
    } catch (e) {
      throw this.evaluationError(e);
    }
  }

  private evaluationError(e: unknown, p?: PreparedExpression): BundleError {
    if (e instanceof BundleError) return e;
    const path = p ? `$${clip(p.source, 200)}` : undefined;
    if (e instanceof LimitExceeded) return limitError(e, path);
    const err = e as JsonataError;
    if (err?.code === 'D2014') {
      const asked = typeof err.value === 'number' ? `${err.value} items` : 'too many items';
      return limitError(new LimitExceeded('items', `asked the range operator (..) for ${asked}, over the limit of ${this.bounds.maxItems}`, '--expression_max_items'), path);
    }
    if (err && typeof err === 'object' && typeof err.code === 'string') {
      return new BundleError('expression_error', `The expression failed: ${this.describe(err, p)}.`, { location: { path }, cause: e });
    }
    // V8's own ceiling on string length ("Invalid string length") is a size limit too
    if (e instanceof RangeError && /string length|array length/i.test(e.message)) {
      return limitError(new LimitExceeded('chars', `built a value larger than JavaScript allows (${e.message})`, '--expression_max_chars'), path);
    }
    const message = e instanceof Error ? e.message : String(e);
    return new BundleError('expression_error', `The expression failed: ${clip(message)}.`, { location: { path }, cause: e });
  }

  /** JSONata's message with our `$__refN` variables written back as the references they stand for. */
  private describe(err: JsonataError, scanned?: ScannedExpression): string {
    let message = clip(`${err.message ?? 'error'}`).replace(/\.$/, '');
    if (scanned) message = message.replace(/\$__ref(\d+)/g, (all, k: string) => scanned.refs[Number(k)]?.text ?? all);
    return err.code ? `${message} (JSONata ${err.code})` : message;
  }
}

const LIMIT_HINTS: Record<string, string> = {
  time: 'look for an infinite loop; raise the bound with --expression_timeout <ms> if the work is genuinely long',
  depth: 'look for unbounded recursion; raise the bound with --expression_max_depth <n> if it is genuinely deep',
  regex: 'rewrite the pattern without backreferences or lookaround (RE2 syntax: https://github.com/google/re2/wiki/Syntax)',
};

function limitError(e: LimitExceeded, path: string | undefined): BundleError {
  const hint = LIMIT_HINTS[e.limit] ?? `raise the bound with ${e.flag} <n> if values this large are genuinely needed`;
  // time and depth keep the kind the conformance cases give them; the size and regex bounds are newer
  const kind = e.limit === 'time' || e.limit === 'depth' ? 'expression_error' : 'expression_limit';
  return new BundleError(kind, `The expression ${clip(e.message, 400)}.`, { location: { path }, hint });
}
