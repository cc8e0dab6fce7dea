/**
 * MONAI's `$` text is Python with `@id` references, which Python cannot parse (`@` is its matrix
 * product). The references are swapped for placeholder names outside string literals before parsing,
 * and the placeholders carry the reference back into the JSONata that is written.
 */
import { REFERENCE_TOKEN } from '../config/sigils.js';

export interface PythonSource {
  /** Python code with every `@id` outside string literals replaced by `__ref<N>` */
  code: string;
  /** the N-th placeholder's reference, with `#` written as `::` */
  refs: string[];
}

export const PLACEHOLDER = /^__ref(\d+)$/;

/** Length of a Python string literal starting at `i` (after any prefix letters), or 0 when none starts there. */
function stringLength(text: string, i: number): number {
  let j = i;
  while (j < text.length && /[rbfuRBFU]/.test(text[j]!) && j - i < 2) j++;
  const q = text[j];
  if (q !== '"' && q !== "'") return 0;
  if (j > i && /[\w]/.test(text[i - 1] ?? '')) return 0;
  const triple = text.startsWith(q.repeat(3), j);
  const close = triple ? q.repeat(3) : q;
  let k = j + close.length;
  while (k < text.length && !text.startsWith(close, k)) k += text[k] === '\\' ? 2 : 1;
  return Math.min(k + close.length, text.length) - i;
}

export function substituteReferences(text: string): PythonSource {
  let code = '';
  const refs: string[] = [];
  const index = new Map<string, number>();
  const placeholder = (token: string): string => {
    const ref = token.replace(/#/g, '::');
    let k = index.get(ref);
    if (k === undefined) {
      k = refs.length;
      index.set(ref, k);
      refs.push(ref);
    }
    return `__ref${k}`;
  };
  let i = 0;
  while (i < text.length) {
    const prev = text[i - 1] ?? '';
    const len = /[\w]/.test(prev) ? 0 : stringLength(text, i);
    if (len > 0) {
      const literal = text.slice(i, i + len);
      // an f-string's {...} parts are code: references there are substituted too
      code += /^[a-eg-z]*f/i.test(literal) ? literal.replace(new RegExp(REFERENCE_TOKEN.source, 'gu'), (m) => placeholder(m)) : literal;
      i += len;
      continue;
    }
    if (text[i] === '@') {
      REFERENCE_TOKEN.lastIndex = i;
      const m = REFERENCE_TOKEN.exec(text);
      if (m) {
        code += placeholder(m[0]);
        i += m[0].length;
        continue;
      }
    }
    code += text[i];
    i++;
  }
  return { code, refs };
}

/** The value of a Python string literal (prefixes r and u), or undefined for bytes or an incomplete literal. */
export function pythonStringValue(raw: string): string | undefined {
  const m = /^([a-zA-Z]*)("""|'''|"|')([\s\S]*)\2$/.exec(raw);
  if (!m || m[1]!.toLowerCase().includes('b')) return undefined;
  return m[1]!.toLowerCase().includes('r') ? m[3]! : unescape(m[3]!);
}

export function unescape(text: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', '\n': '' };
  return text.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (all, e: string) =>
    e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (simple[e] ?? all),
  );
}
