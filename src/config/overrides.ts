/**
 * The CLI value grammar (pure), used for `--<id> <value>` overrides and list options:
 *   1. text that parses as JSON is that JSON: 5, true, null, [1,2], {"k":1}, "quoted"
 *   2. True / False / None are true / false / null
 *   3. a Python-style list/tuple/dict literal with single or double quotes is its JSON equivalent:
 *      "['a.json','b.json']" -> ["a.json","b.json"], "{'k': None}" -> {"k": null}
 *   4. anything else is the string itself: /data/x.nii.gz, $@a & 'x', %other.json::net, a,b
 */
import { BundleError, type Origin } from '../errors/index.js';

export function parseCliValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed !== '') {
    try {
      return JSON.parse(trimmed);
    } catch {
      // not JSON
    }
  }
  if (trimmed === 'True') return true;
  if (trimmed === 'False') return false;
  if (trimmed === 'None') return null;
  if (/^[[({]/.test(trimmed)) {
    const literal = parsePythonLiteral(trimmed);
    if (literal.ok) return literal.value;
  }
  return text;
}

/** The inverse of parseCliValue for any JSON value: parseCliValue(formatCliValue(v)) deep-equals v. */
export function formatCliValue(value: unknown): string {
  return JSON.stringify(value);
}

/** `--config_file`: one path, a list literal, or a comma-separated list. */
export function parseFileList(text: string, option = 'config_file'): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('(')) {
    const v = parseCliValue(trimmed);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    throw new BundleError('usage', `--${option} ${text} is not a list of file paths.`, {
      hint: `write --${option} a.json, --${option} a.json,b.json or --${option} "['a.json','b.json']"`,
    });
  }
  return trimmed.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export interface ParsedOverride {
  id: string;
  value: unknown;
  origin: Origin;
}

/** Overrides from raw CLI tokens, in order: `--id value` or `--id=value`. */
export function parseOverrideArgs(tokens: readonly string[]): ParsedOverride[] {
  const out: ParsedOverride[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith('--') || token.length === 2) {
      throw new BundleError('invalid_override', `Unexpected argument "${token}": overrides are written --<id> <value>.`, {
        location: { origin: { source: 'cli', detail: token } },
      });
    }
    const eq = token.indexOf('=');
    let id: string;
    let text: string;
    if (eq > 2) {
      id = token.slice(2, eq);
      text = token.slice(eq + 1);
    } else {
      id = token.slice(2);
      const next = tokens[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new BundleError('invalid_override', `The override --${id} has no value.`, {
          location: { origin: { source: 'cli', detail: token } },
          hint: `write --${id} <value> or --${id}=<value>; values follow the grammar in --help`,
        });
      }
      text = next;
      i++;
    }
    out.push({ id, value: parseCliValue(text), origin: { source: 'cli', detail: `--${id} ${text}` } });
  }
  return out;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

/** Python literals: lists, tuples, dicts, quoted strings, numbers, True/False/None (and JSON's words). */
export function parsePythonLiteral(text: string): Parsed {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const FAIL = Symbol('fail');
  const value = (): unknown => {
    ws();
    const c = text[pos];
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      pos++;
      const arr: unknown[] = [];
      for (;;) {
        ws();
        if (text[pos] === close) { pos++; return arr; }
        const v = value();
        if (v === FAIL) return FAIL;
        arr.push(v);
        ws();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === close) { pos++; return arr; }
        return FAIL;
      }
    }
    if (c === '{') {
      pos++;
      const obj: Record<string, unknown> = {};
      for (;;) {
        ws();
        if (text[pos] === '}') { pos++; return obj; }
        const k = value();
        if (k === FAIL || (typeof k !== 'string' && typeof k !== 'number')) return FAIL;
        ws();
        if (text[pos] !== ':') return FAIL;
        pos++;
        const v = value();
        if (v === FAIL) return FAIL;
        Object.defineProperty(obj, String(k), { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === '}') { pos++; return obj; }
        return FAIL;
      }
    }
    if (c === "'" || c === '"') {
      pos++;
      let s = '';
      while (pos < text.length && text[pos] !== c) {
        if (text[pos] === '\\') {
          const e = text[pos + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
          pos += 2;
        } else s += text[pos++];
      }
      if (pos >= text.length) return FAIL;
      pos++;
      return s;
    }
    const word = /^(?:True|False|None|true|false|null)\b/.exec(text.slice(pos));
    if (word) {
      pos += word[0].length;
      return word[0] === 'True' || word[0] === 'true' ? true : word[0] === 'False' || word[0] === 'false' ? false : null;
    }
    const num = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(text.slice(pos));
    if (num) {
      pos += num[0].length;
      return Number(num[0]);
    }
    return FAIL;
  };
  const v = value();
  ws();
  return v === FAIL || pos !== text.length ? { ok: false } : { ok: true, value: v };
}
