/**
 * JSON with positions: a small parser with JSON.parse semantics that also rejects duplicate keys and
 * records file:line:column for every value. JSON.parse cannot do either.
 */
import { BundleError, type Origin } from '../errors/index.js';
import type { OriginTable } from './provenance.js';
import { setOwn } from './sigils.js';

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function parseJsonWithOrigins(text: string, file: string, origins: OriginTable): unknown {
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const origin = (at: number): Origin => ({ source: 'file', file, line, column: at - lineStart + 1 });

  const fail = (message: string, at = pos): never => {
    // line/column of `at` (recomputed: only on error)
    let l = 1;
    let ls = 0;
    for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) { l++; ls = i + 1; }
    throw new BundleError('parse_error', `Invalid JSON: ${message}.`, {
      location: { origin: { source: 'file', file, line: l, column: at - ls + 1 }, file },
    });
  };

  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (!WS.has(c)) break;
      if (c === 0x0a) { line++; lineStart = pos + 1; }
      pos++;
    }
  };

  const parseString = (): string => {
    // fast path: no escapes
    const start = ++pos;
    let out = '';
    let chunk = start;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunk, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        out += text.slice(chunk, pos);
        const e = text[pos + 1];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = text.slice(pos + 2, pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default: fail('bad escape');
        }
        pos += 2;
        chunk = pos;
        continue;
      }
      pos++;
    }
    return fail('unterminated string', start - 1);
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

  const parseValue = (depth: number): unknown => {
    skipWs();
    if (depth > 2_000) fail('nesting too deep');
    const c = text[pos];
    if (c === '{') {
      pos++;
      const obj: Record<string, unknown> = {};
      const seen = new Set<string>();
      skipWs();
      if (text[pos] === '}') { pos++; return obj; }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail('expected a string key');
        const keyAt = pos;
        const keyOrigin = origin(keyAt);
        const key = parseString();
        if (seen.has(key)) {
          throw new BundleError('duplicate_key', `The key "${key}" appears twice in the same object.`, {
            location: { origin: keyOrigin, file },
          });
        }
        seen.add(key);
        skipWs();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        const value = parseValue(depth + 1);
        setOwn(obj, key, value);
        origins.set(obj, key, keyOrigin);
        skipWs();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === '}') { pos++; return obj; }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const arr: unknown[] = [];
      skipWs();
      if (text[pos] === ']') { pos++; return arr; }
      for (;;) {
        skipWs();
        const at = origin(pos);
        arr.push(parseValue(depth + 1));
        origins.set(arr, arr.length - 1, at);
        skipWs();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === ']') { pos++; return arr; }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) { pos += 4; return true; }
    if (text.startsWith('false', pos)) { pos += 5; return false; }
    if (text.startsWith('null', pos)) { pos += 4; return null; }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m && m[0].length > 0) {
      pos += m[0].length;
      return Number(m[0]);
    }
    return fail(pos >= text.length ? 'unexpected end of file' : `unexpected character ${JSON.stringify(text[pos])}`);
  };

  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  skipWs();
  const value = parseValue(0);
  skipWs();
  if (pos < text.length) fail('unexpected text after the value');
  return value;
}
