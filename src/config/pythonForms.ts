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
    // JSONata calls only "$" functions; "x.name(...)" would invoke a field of the data, which is never a function
    pattern: /\.\s*([A-Za-z_]\w*)\s*\(/,
    message: (m) => `".${m[1]}(...)" is a Python method call; JSONata has no methods.`,
    hint: (m) =>
      m[1] === 'run'
        ? 'write $run(@component) for @component.run() (or $run(@component, "method"))'
        : `call a JSONata function on the value instead, e.g. $string(x), $uppercase(x), $now() (see https://docs.jsonata.org/string-functions)`,
  },
  {
    pattern: new RegExp(`${NOT_AFTER}(?!(?:function|and|or|in)\\b)([A-Za-z_]\\w*)\\s*\\(`),
    message: (m) => `"${m[1]}(...)" looks like a Python call; JSONata functions start with "$".`,
    hint: (m) => (CALL_ALTERNATIVES[m[1]!] ? `write ${CALL_ALTERNATIVES[m[1]!]}` : `call JSONata functions with a leading "$", e.g. $${m[1]}(...) if such a function exists`),
  },
];

/** Throws `python_expression` when `code` uses a Python-only form. */
export function rejectPythonForms(code: string, source: string): void {
  for (const form of FORMS) {
    const m = form.pattern.exec(code);
    if (m) {
      throw new BundleError('python_expression', form.message(m), { hint: form.hint(m), location: { path: `$${source}` } });
    }
  }
}
