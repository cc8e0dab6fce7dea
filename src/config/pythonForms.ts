/**
 * MONAI bundles write Python in `$` strings. Here `$` is JSONata, so Python-only forms are recognised and
 * rejected with the JSONata to write instead, instead of failing obscurely or evaluating to nothing.
 * `code` is expression code with string literals and comments blanked and references replaced.
 */
import { BundleError } from '../errors/index.js';

interface PythonForm {
  pattern: RegExp;
  message: (m: RegExpExecArray) => string;
  hint: (m: RegExpExecArray) => string;
}

const NOT_AFTER = '(?<![\\w$.@`])';

const CALL_ALTERNATIVES: Record<string, string> = {
  len: '$count(x)',
  range: 'a range [a..b] (inclusive), e.g. [0..4] for range(5)',
  list: 'the array itself, or [x] / $append(x, y)',
  tuple: 'an array [a, b]',
  set: '$distinct(x)',
  str: '$string(x)',
  int: '$floor(x) or $number(x)',
  float: '$number(x)',
  sum: '$sum(x)',
  max: '$max(x)',
  min: '$min(x)',
  abs: '$abs(x)',
  round: '$round(x)',
  sorted: '$sort(x)',
  dict: '{"key": value}',
  print: 'nothing: expressions cannot print',
  isinstance: '$type(x) = "string" (or "number", "array", "object", "boolean", "null")',
  enumerate: '$map(x, function($v, $i){ ... })',
  zip: '$zip(a, b)',
};

/** What a Python method call on a value is written as here, by method name. */
const METHOD_ALTERNATIVES: Record<string, string> = {
  run: 'write "$$run(@evaluator)" in a workflow section (the first $ marks the expression; "$$run(@x, \'name\')" calls another method)',
  to: 'drop ".to(...)": a network runs where its OnnxNetwork\'s "execution_providers" say (write "@network_def")',
  cuda: 'drop ".cuda()": a network runs where its OnnxNetwork\'s "execution_providers" say',
  cpu: 'drop ".cpu()": a network runs where its OnnxNetwork\'s "execution_providers" say',
  eval: 'drop ".eval()": networks here only run inference',
  format: 'join strings with &, e.g. "\'a\' & $string(@x)"',
  join: 'write $join(list, separator)',
  keys: 'write $keys(x)',
  values: 'write $lookup(x, $keys(x))',
  items: 'write $each(x, function($v, $k){ ... })',
  get: "write x.key, or x[\"key\"] for a name with special characters",
  append: 'write $append(list, [item])',
  lower: 'write $lowercase(s)',
  upper: 'write $uppercase(s)',
  split: 'write $split(s, separator)',
  replace: 'write $replace(s, pattern, replacement)',
  strip: 'write $trim(s)',
};

const FORMS: PythonForm[] = [
  {
    pattern: /^\s*(?:import\s+[\w.]+|from\s+[\w.]+\s+import\b)/,
    message: () => 'Python imports are not available in expressions.',
    hint: () => 'components come from the registry through "_target_"; functions are JSONata\'s own ($string, $sum, ...) or the registered ones listed in the README',
  },
  {
    pattern: new RegExp(`${NOT_AFTER}lambda\\b`),
    message: () => 'Python "lambda" is not available in expressions.',
    hint: () => 'write a JSONata function instead: "$function($x){ $x + 1 }" for "lambda x: x + 1"',
  },
  {
    pattern: new RegExp(`${NOT_AFTER}(os\\.path|torch|np|numpy|monai|os|sys|math|json|scripts|pathlib|glob|datetime|time|re|random|itertools|collections|functools|shutil|subprocess|copy|logging|builtins)\\.`),
    message: (m) => `"${m[1]}." names a Python module, which expressions cannot reach.`,
    hint: (m) =>
      m[1]!.startsWith('os.path')
        ? 'use the registered path functions: $path_join(a, b), $dirname(p), $basename(p)'
        : m[1] === 'datetime' || m[1] === 'time'
          ? "use JSONata's clock: $now() (ISO 8601), $now('[Y0001][M01][D01]') for strftime('%Y%m%d'), $millis()"
          : 'use JSONata functions ($sum, $max, $round, ...) on plain values, or a registered component through "_target_"',
  },
  {
    pattern: new RegExp(`${NOT_AFTER}(True|False|None)\\b`),
    message: (m) => `"${m[1]}" is Python.`,
    hint: (m) => `write ${m[1] === 'None' ? 'null' : m[1]!.toLowerCase()} (and "x = null" for "x is None")`,
  },
  {
    pattern: new RegExp(`${NOT_AFTER}if\\b[\\s\\S]*\\belse\\b`),
    message: () => 'Python "x if c else y" is not JSONata.',
    hint: () => 'write "c ? x : y"',
  },
  {
    pattern: new RegExp(`${NOT_AFTER}for\\s+\\w+\\s+in\\b`),
    message: () => 'Python comprehensions are not JSONata.',
    hint: () => 'write $map(list, function($v){ ... }) or filter with list[condition]',
  },
  {
    pattern: new RegExp(`${NOT_AFTER}not\\s`),
    message: () => 'Python "not x" is not JSONata.',
    hint: () => 'write $not(x)',
  },
  {
    pattern: /\.\s*([A-Za-z_]\w*)\s*\(/,
    message: (m) => `".${m[1]}(...)" is a Python method call; JSONata has no methods.`,
    hint: (m) => METHOD_ALTERNATIVES[m[1]!] ?? 'call a registered function with the value as its first argument ($run(@x, \'method\') in bundle run), or a JSONata function ($string, $join, ...)',
  },
  {
    pattern: new RegExp(`${NOT_AFTER}(?!(?:function|and|or|in)\\b)([A-Za-z_]\\w*)\\s*\\(`),
    message: (m) => `"${m[1]}(...)" looks like a Python call; JSONata functions start with "$".`,
    hint: (m) => (CALL_ALTERNATIVES[m[1]!] ? `write ${CALL_ALTERNATIVES[m[1]!]}` : `call JSONata functions with a leading "$", e.g. $${m[1]}(...) if such a function exists`),
  },
];

/**
 * Whether `source` (expression text) adds a string literal with `+`: Python's string concatenation, which
 * JSONata rejects only when it runs (T2001, "the operands of + must be numbers").
 */
export function addsStringLiteral(source: string): boolean {
  // significant tokens outside string literals: "s" for a string literal, "+" for plus, "x" for anything else
  const tokens: string[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      tokens.push('s');
      i = j;
    } else if (c === '+') tokens.push('+');
    else if (!/\s/.test(c)) tokens.push('x');
  }
  return tokens.some((t, k) => t === '+' && (tokens[k - 1] === 's' || tokens[k + 1] === 's'));
}

/** Throws `python_expression` when `code` uses a Python-only form. */
export function rejectPythonForms(code: string, source: string): void {
  if (addsStringLiteral(source)) {
    throw new BundleError('python_expression', 'Python string concatenation with "+": JSONata\'s + adds numbers only.', {
      hint: 'join strings with &: "$@bundle_root & \'/models\'" for "$@bundle_root + \'/models\'" (or $path_join(@bundle_root, \'models\'))',
      location: { path: `$${source}` },
    });
  }
  for (const form of FORMS) {
    const m = form.pattern.exec(code);
    if (m) {
      throw new BundleError('python_expression', form.message(m), { hint: form.hint(m), location: { path: `$${source}` } });
    }
  }
}
