/**
 * Why expressions cannot hang or exhaust memory, whatever a bundle writes in them.
 *
 * Evaluation stays on the main thread: expressions receive resolved values that may be components (not
 * cloneable to a worker) and call host functions such as `$run` that act on them, so a worker with
 * resourceLimits cannot hold them. Instead every source of unbounded work is closed where it arises:
 * - regular expressions (`/re/` in $match, $contains, $replace, $split) run on RE2 (re2js, pure JS), whose
 *   matching time is linear in the input: no catastrophic backtracking; backreferences and lookaround,
 *   which need backtracking, are errors;
 * - every value an evaluation step produces is checked when the step ends: a string longer than
 *   `maxChars` or a list longer than `maxItems` stops the evaluation, and so does a running total over
 *   all steps of 16 times either bound (work that builds many large values);
 * - builtins that allocate before returning are checked before they allocate ($pad, $join), and the
 *   quadratic one ($distinct) is replaced by a linear one with the same result;
 * - the time bound (checked on every step) covers everything else: each builtin call is bounded by the
 *   sizes above, so none runs long between two checks.
 * JSONata's own range operator refuses more than 1e7 items before allocating; the check above stops any
 * range over maxItems as soon as it exists.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

// Loaded on first use: configs without regular expressions or $glob never pay for the engine.
const require = createRequire(import.meta.url);
let re2jsClass: typeof RE2JS | undefined;
export function re2(): typeof RE2JS {
  re2jsClass ??= (require('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  return re2jsClass;
}

export interface SizeBounds {
  /** longest string one evaluation step may produce (characters) */
  maxChars: number;
  /** longest list one evaluation step may produce (items) */
  maxItems: number;
}

export const DEFAULT_SIZE_BOUNDS: SizeBounds = { maxChars: 1_000_000, maxItems: 100_000 };

/** How much more than one value's bound all the steps of one evaluation may produce together. */
export const TOTAL_FACTOR = 16;

export type LimitName = 'time' | 'depth' | 'chars' | 'items' | 'total_chars' | 'total_items' | 'regex';

/** Thrown from inside evaluation; the engine turns it into `expression_limit`. */
export class LimitExceeded extends Error {
  constructor(
    readonly limit: LimitName,
    message: string,
    readonly flag: string | null,
  ) {
    super(message);
  }
}

export interface SizeCounter {
  chars: number;
  items: number;
}

/** Checks one step's result against the bounds, adding it to the evaluation's running totals. */
export function checkSize(value: unknown, bounds: SizeBounds, total: SizeCounter): void {
  if (typeof value === 'string') {
    if (value.length > bounds.maxChars) {
      throw new LimitExceeded('chars', `built a string of ${value.length} characters, over the limit of ${bounds.maxChars}`, '--expression_max_chars');
    }
    total.chars += value.length;
    if (total.chars > bounds.maxChars * TOTAL_FACTOR) {
      throw new LimitExceeded('total_chars', `built more than ${bounds.maxChars * TOTAL_FACTOR} characters in all (${TOTAL_FACTOR} times the limit of one string)`, '--expression_max_chars');
    }
  } else if (Array.isArray(value)) {
    if (value.length > bounds.maxItems) {
      throw new LimitExceeded('items', `built a list of ${value.length} items, over the limit of ${bounds.maxItems}`, '--expression_max_items');
    }
    total.items += value.length;
    if (total.items > bounds.maxItems * TOTAL_FACTOR) {
      throw new LimitExceeded('total_items', `built more than ${bounds.maxItems * TOTAL_FACTOR} list items in all (${TOTAL_FACTOR} times the limit of one list)`, '--expression_max_items');
    }
  }
}

// ---- RE2 in place of RegExp --------------------------------------------------------------------------

/**
 * What JSONata needs of a regex engine (its `RegexEngine` option): constructed from the RegExp the parser
 * made, `lastIndex`, and `exec` returning a RegExpExecArray-like match with `index`.
 */
export class SafeRegExp {
  lastIndex = 0;
  private readonly re: RE2JS;

  constructor(source: RegExp) {
    const RE2 = re2();
    let flags = 0;
    if (source.flags.includes('i')) flags |= RE2.CASE_INSENSITIVE;
    if (source.flags.includes('m')) flags |= RE2.MULTILINE;
    try {
      this.re = RE2.compile(RE2.translateRegExp(source.source), flags);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new LimitExceeded(
        'regex',
        `uses the regular expression /${clip(source.source, 80)}/, which the linear-time engine cannot run (${clip(why, 120)}); backreferences and lookaround are not supported`,
        null,
      );
    }
  }

  exec(input: string): (string[] & { index: number }) | null {
    const m = this.re.matcher(input);
    if (this.lastIndex > input.length || !m.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: string[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? (undefined as unknown as string));
    const start = m.start(0);
    const end = m.end(0);
    // as RegExp with the g flag: the next search starts after this match (one further after an empty one)
    this.lastIndex = end === start ? end + 1 : end;
    return Object.assign(groups, { index: start });
  }
}

// ---- builtins that allocate before they return ---------------------------------------------------------

const SURROGATE = /[\uD800-\uDFFF]/;
const codePoints = (s: string): number => (SURROGATE.test(s) ? Array.from(s).length : s.length);

/** Replacements for JSONata builtins with JSONata's results, each checking its bound before the work. */
export function boundedBuiltins(bounds: () => SizeBounds) {
  return {
    pad: {
      implementation(str: string | undefined, width: number, char?: string): string | undefined {
        if (str === undefined) return undefined;
        const w = Math.trunc(width);
        if (Math.abs(w) > bounds().maxChars) {
          throw new LimitExceeded('chars', `asked $pad for ${Math.abs(w)} characters, over the limit of ${bounds().maxChars}`, '--expression_max_chars');
        }
        const fill = char === undefined || char.length === 0 ? ' ' : char;
        // lengths in code points, as JSONata counts them
        const padLength = Math.abs(w) - codePoints(str);
        if (padLength <= 0) return str;
        const padding = fill.length === 1 && !SURROGATE.test(fill)
          ? fill.repeat(padLength)
          : Array.from(fill.repeat(padLength)).slice(0, padLength).join('');
        return w > 0 ? str + padding : padding + str;
      },
      signature: '<s-ns?:s>',
    },
    join: {
      implementation(strs: string[] | undefined, separator?: string): string | undefined {
        if (strs === undefined) return undefined;
        const sep = separator ?? '';
        let n = 0;
        for (const s of strs) n += s.length + sep.length;
        if (n > bounds().maxChars) {
          throw new LimitExceeded('chars', `asked $join for about ${n} characters, over the limit of ${bounds().maxChars}`, '--expression_max_chars');
        }
        return strs.join(sep);
      },
      signature: '<a<s>s?:s>',
    },
    distinct: { implementation: distinct, signature: '<x:x>' },
  };
}

/** JSONata's $distinct (first occurrences, deep equality, order kept) in linear time instead of quadratic. */
export function distinct(arr: unknown): unknown {
  if (!Array.isArray(arr) || arr.length <= 1) return arr;
  const seen = new Set<unknown>();
  const seenJson = new Set<string>();
  const out: unknown[] = [];
  for (const value of arr) {
    const text = value !== null && typeof value === 'object' ? canonical(value) : null;
    const set: Set<unknown> = text === null ? seen : seenJson;
    const key = text ?? value;
    if (set.has(key)) continue;
    set.add(key);
    out.push(value);
  }
  if ((arr as { sequence?: boolean }).sequence) (out as unknown as { sequence: boolean }).sequence = true;
  return out;
}

/** One text for deep-equal JSON values (object keys in any order); null for other objects (compared by identity). */
function canonical(value: unknown): string | null {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const v of value) {
      const c = canonical(v);
      if (c === null) return null;
      parts.push(c);
    }
    return `[${parts.join(',')}]`;
  }
  const proto = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    const parts: string[] = [];
    for (const k of Object.getOwnPropertyNames(value).sort()) {
      const c = canonical((value as Record<string, unknown>)[k]);
      if (c === null) return null;
      parts.push(`${JSON.stringify(k)}:${c}`);
    }
    return `{${parts.join(',')}}`;
  }
  return null;
}

/** Error messages quote values from expressions; none may grow with them. */
export function clip(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}
