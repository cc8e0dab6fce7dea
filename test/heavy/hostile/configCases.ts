/**
 * The config/override corpus of the hostile-input suite: every attack of the red team's report (issues 13
 * and 15) on configs, macros, expressions and CLI values, plus fast-check generated configs, expressions,
 * YAML texts and override tokens. `configCases(dir, n)` writes each case's bundle under `dir` and returns
 * HostileCases for harness.ts; generation is seeded (HOSTILE_SEED) so a failure can be replayed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { HostileCase } from './harness.js';

type Files = Record<string, string | { symlink: string } | 'fifo' | 'dir'>;

interface Spec {
  name: string;
  files: Files;
  /** CLI arguments; `{cfg}` is the first config file, `{root}` the case's bundle folder */
  args: string[];
}

const EVIL = `${'a'.repeat(48)}!`;
const run = (expr: string): Files => ({
  'configs/inference.json': JSON.stringify({ bundle_root: '.', list: [1, 2, 3], x: 1, run: [expr, '$$string(@list)'] }),
});
const RUN = ['run', '--config_file', '{cfg}', '--workflow_type', 'none', '--quiet'];
const resolveOne = (name: string, value: unknown, extra: string[] = []): Spec => ({
  name,
  files: { 'configs/inference.json': JSON.stringify({ bundle_root: '.', list: [1, 2, 3], v: value }) },
  args: ['resolve', 'v', '--config_file', '{cfg}', ...extra],
});

function bomb(): string {
  const lines = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let k = 1; k < 9; k++) {
    const [p, n] = [String.fromCharCode(96 + k), String.fromCharCode(97 + k)];
    lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}

/** Every attack of the report that concerns configs, macros, expressions and CLI values, by name. */
export function attackSpecs(): Spec[] {
  const expr: Array<[string, string]> = [
    ['catastrophic regex in $match', `$$match('${EVIL}', /(a+)+$/)`],
    ['catastrophic regex in $contains', `$$contains('${EVIL}', /^(a|aa)+$/)`],
    ['catastrophic regex in $replace', `$$replace('${EVIL}', /(a*)*b/, 'x')`],
    ['catastrophic regex in $split', `$$split('${EVIL}', /(.*a){20}b/)`],
    ['regex backreference', "$$match('aa', /(a)\\1/)"],
    ['regex lookahead', "$$match('ab', /a(?=b)/)"],
    ['$sort over 1e7 items', '$$sort([1..10000000])'],
    ['$pad to 5e8 characters', "$$pad('x', 500000000)"],
    ['$distinct over 300,000 items', '$$distinct([1..300000])'],
    ['$number of a 50 MB string', "$$number($pad('1', 50000000, '1'))"],
    ['range [1..1e9]', '$[1..1000000000]'],
    ['nested ranges', '$[1..9000000, 1..9000000, 1..9000000]'],
    ['$join of many large strings', "$$join([1..1000].$pad('', 900000), '')"],
    ['string doubling', "$($s := $pad('', 900000, 'x'); $s & $s & $s & $s)"],
    ['endless tail recursion', '$($f := function($n){ $f($n + 1) }; $f(0))'],
    ['deep recursion', '$($f := function($n){ 1 + $f($n + 1) }; $f(0))'],
    ['recursion in a parallel branch', '$($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; [0, $f(100000)])'],
    ['$map building objects (depth leak)', "$$map([1..300], function($v){ {'image': $v, 'label': $v} })"],
    ['$eval of an attack', "$$eval(\"$pad('x', 500000000)\")"],
    ['$string of a large structure', '$$string([1..99999].[$, $, $])'],
    ['$formatNumber with a huge picture', "$$formatNumber(1, $pad('#', 900000, '#'))"],
    ['$datetime.now().strftime', "$datetime.now().strftime('%Y')"],
    ['python method call', '$@list.pop()'],
    // 10,000 keys take about 0.3 s here, well inside the 1 s default on a slower CI machine (50,000 took 0.9 s:
    // a time-limit error there, which is also a right answer, but this case is meant to show bounded success)
    ['$spread of a large object', "$$count($spread($merge([1..10000].{$string($): $})))"],
  ];
  const specs: Spec[] = expr.map(([name, e]) => resolveOne(name, e));
  specs.push(
    { name: '$run(@list, "pop")', files: run('$$run(@list, "pop")'), args: RUN },
    { name: '$run(@x, "toString")', files: run('$$run(@x, "toString")'), args: RUN },
    { name: "$glob('/etc', 'pass*')", files: run("$$glob('/etc', 'pass*')"), args: RUN },
    { name: '$glob with a catastrophic pattern', files: { ...run(`$$glob(@bundle_root, '${'*a'.repeat(30)}*b')`), [`${'a'.repeat(200)}.txt`]: '' }, args: RUN },
    { name: '$glob through a symlink to /etc', files: { ...run("$$glob(@bundle_root, 'etc/pass*')"), etc: { symlink: '/etc' } }, args: RUN },
    { name: 'YAML billion laughs', files: { 'configs/inference.yaml': bomb() }, args: ['resolve', 'i', '--config_file', '{root}/configs/inference.yaml'] },
    { name: 'macro reads /dev/zero', files: { 'configs/inference.json': '{"v": "%configs/zero.json::x"}', 'configs/zero.json': { symlink: '/dev/zero' } }, args: ['resolve', 'v', '--config_file', '{cfg}', '--allow_outside_root'] },
    { name: 'macro reads a FIFO', files: { 'configs/inference.json': '{"v": "%configs/fifo.json::x"}', 'configs/fifo.json': 'fifo' }, args: ['resolve', 'v', '--config_file', '{cfg}'] },
    { name: 'macro through a symlink to /proc/self/environ', files: { 'configs/inference.json': '{"v": "%configs/env.yaml"}', 'configs/env.yaml': { symlink: '/proc/self/environ' } }, args: ['resolve', 'v', '--config_file', '{cfg}'] },
    { name: 'macro through /proc with --allow_outside_root', files: { 'configs/inference.json': '{"v": "%configs/env.yaml"}', 'configs/env.yaml': { symlink: '/proc/self/environ' } }, args: ['resolve', 'v', '--config_file', '{cfg}', '--allow_outside_root'] },
    { name: 'macro outside the root', files: { 'configs/inference.json': '{"v": "%../../etc.json::x"}' }, args: ['resolve', 'v', '--config_file', '{cfg}'] },
    { name: 'macro of a folder', files: { 'configs/inference.json': '{"v": "%configs/d.json::x"}', 'configs/d.json': 'dir' }, args: ['resolve', 'v', '--config_file', '{cfg}'] },
    { name: 'macro of a 17 MB file', files: { 'configs/inference.json': '{"v": "%configs/big.json::x"}', 'configs/big.json': `{"x": "${'a'.repeat(17 << 20)}"}` }, args: ['resolve', 'v', '--config_file', '{cfg}'] },
    { name: 'macro cycle across files', files: { 'configs/inference.json': '{"v": "%configs/b.json::v"}', 'configs/b.json': '{"v": "%configs/inference.json::v"}' }, args: ['resolve', 'v', '--config_file', '{cfg}'] },
    { name: 'config file is a FIFO', files: { 'configs/inference.json': 'fifo' }, args: ['resolve', 'v', '--config_file', '{cfg}'] },
    { name: 'config file is /dev/zero', files: {}, args: ['resolve', 'v', '--config_file', '/dev/zero'] },
    { name: 'config file is /proc/self/environ', files: {}, args: ['resolve', 'v', '--config_file', '/proc/self/environ'] },
    { name: 'args file is a FIFO', files: { 'configs/inference.json': '{}', 'args.json': 'fifo' }, args: ['run', '--args_file', '{root}/args.json'] },
    { name: 'deeply nested JSON', files: { 'configs/inference.json': `${'['.repeat(100000)}${']'.repeat(100000)}` }, args: ['resolve', '', '--config_file', '{cfg}'] },
    { name: 'deeply nested YAML', files: { 'configs/inference.yaml': `${'['.repeat(50000)}${']'.repeat(50000)}` }, args: ['resolve', '', '--config_file', '{root}/configs/inference.yaml'] },
    resolveOne('--expression_timeout 0', '$1', ['--expression_timeout', '0']),
    resolveOne('--expression_max_items NaN', '$1', ['--expression_max_items', 'NaN']),
    resolveOne('--expression_max_chars -5', '$1', ['--expression_max_chars', '-5']),
    resolveOne('--expression_max_depth 1e9 with deep recursion', '$($f := function($n){ 1 + $f($n + 1) }; $f(0))', ['--expression_max_depth', '1000000000']),
    // a bound raised tenfold still holds against work a thousand times larger (a user who lifts a bound far
    // enough to allow 1e7-item lists accepts their cost: that is what the flag is for)
    resolveOne('--expression_max_items 1e6 with $sort([1..1e7])', '$$sort([1..10000000])', ['--expression_max_items', '1000000']),
    resolveOne('override with a huge value', '@x', ['--new:x', 'a'.repeat(100_000)]),
    resolveOne('override id with 10,000 levels', '@x', [`--${Array(10000).fill('a').join('::')}`, '1']),
    resolveOne('override that is an expression attack', '@x', ['--new:x', "$$pad('x', 500000000)"]),
    resolveOne('override that is a macro of /proc', '@x', ['--new:x', '%/proc/self/environ.json::x']),
    resolveOne('override with control characters', '@x', ['--new:x', 'a\nerror[forged]: b\u001b[31m']),
  );
  return specs;
}

// ---- generated cases ------------------------------------------------------------------------------

const num = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constantFrom(1e3, 1e5, 3e5, 1e7, 5e8, 1e9, -1e9, 0.5, Number.MAX_SAFE_INTEGER));
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(EVIL, 'a.nii.gz', '', '%x', '@x', "'", '\\'));
const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const regex = fc
  .array(fc.constantFrom('a', 'a+', '(a+)+', '(a|aa)*', '.*', '\\d', '[a-z]', '(?:x|y)', '{1,99}', '\\1', '(?=a)', '^', '$', '|', '(', ')'), { minLength: 1, maxLength: 6 })
  .map((parts) => `/${parts.join('')}/${parts.length % 3 === 0 ? 'i' : ''}`);

/** JSONata expressions from a small grammar of builtins with hostile arguments. */
export const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    num.map(String),
    text.map(quote),
    fc.constant('@list'),
    fc.tuple(num, num).map(([a, b]) => `[${a}..${b}]`),
    fc.tuple(text, regex).map(([s, r]) => `$match(${quote(s)}, ${r})`),
    fc.tuple(text, regex).map(([s, r]) => `$replace(${quote(s)}, ${r}, '$1')`),
    fc.tuple(text, regex).map(([s, r]) => `$split(${quote(s)}, ${r})`),
    fc.tuple(tie('e'), regex).map(([s, r]) => `$contains($string(${s}), ${r})`),
    fc.tuple(tie('e'), num).map(([s, n]) => `$pad($string(${s}), ${n})`),
    tie('e').map((a) => `$sort(${a})`),
    tie('e').map((a) => `$distinct(${a})`),
    tie('e').map((a) => `$number(${a})`),
    tie('e').map((a) => `$string(${a})`),
    tie('e').map((a) => `$count(${a})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `$append(${a}, ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a} & ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `$map(${a}, function($v){ {'k': $v, 'j': [$v, ${b}]} })`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `$reduce(${a}, function($x, $y){ $append($x, ${b}) }, [])`),
    tie('e').map((a) => `$join($map(${a}, function($v){ $string($v) }), ',')`),
  ),
})).e;

const sigilString = fc.oneof(
  text,
  expression.map((e) => `$${e}`),
  fc.constantFrom('@x', '@list::0', '@list::99', '@::x', '@nope', '%x', '%list', '%configs/other.json::a', '%../x.json', '$', '%', '@', '$@x & 1'),
);
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('_target_', '_disabled_', '_requires_', '_mode_', '+list', 'a::b', 'a#b', '__proto__', 'constructor', ''));
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    sigilString,
    num,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
    fc.record({ _target_: fc.constantFrom('Compose', 'dict', 'LoadImaged', 'Nope', 'monai.transforms.Spacingd'), keys: fc.constantFrom('image', ['image'], 3) }),
  ),
})).v;

const yamlText = fc
  .array(fc.constantFrom('a: &a [1, 2]\n', 'b: *a\n', 'c: *c\n', 'd: {x: *a, y: *a}\n', '- x\n', 'e: !!binary AAAA\n', "f: '$$pad(''x'', 5e8)'\n", 'g: [\n', 'h: &h {<<: *a}\n', 'i: 1e999\n', 'k: "%configs/other.json::a"\n'), { maxLength: 8 })
  .map((lines) => lines.join(''));

const overrideTokens = fc.array(
  fc.tuple(fc.oneof(key, fc.constantFrom('x', 'list::0', '+list', 'list#5', 'nope::deep', 'v')), fc.oneof(sigilString, fc.constantFrom("['a', None]", "{'k': True}", '[1,', 'None', '1e999'))),
  { maxLength: 3 },
).map((pairs) => pairs.flatMap(([k, v]) => [`--${k}`, v]));

export function generatedSpecs(count: number, seed: number): Spec[] {
  const base = { bundle_root: '.', list: [1, 2, 3], x: 1 };
  const other = JSON.stringify({ a: [1, 2], b: '%a' });
  const perKind = Math.ceil(count / 5);
  const sample = <T>(arb: fc.Arbitrary<T>, k: number): T[] => fc.sample(arb, { seed: seed + k, numRuns: perKind });
  const specs: Spec[] = [];
  sample(expression, 1).forEach((e, i) =>
    specs.push({ name: `generated expression ${i}`, files: { 'configs/inference.json': JSON.stringify({ ...base, v: `$${e}` }) }, args: ['resolve', 'v', '--config_file', '{cfg}'] }),
  );
  sample(fc.dictionary(key, value, { maxKeys: 6 }), 2).forEach((cfg, i) =>
    specs.push({
      name: `generated config ${i}`,
      files: { 'configs/inference.json': JSON.stringify({ ...base, ...cfg }), 'configs/other.json': other },
      args: [i % 2 === 0 ? 'resolve' : 'check', ...(i % 2 === 0 ? [''] : []), '--config_file', '{cfg}'],
    }),
  );
  sample(yamlText, 3).forEach((y, i) =>
    specs.push({ name: `generated YAML ${i}`, files: { 'configs/inference.yaml': y, 'configs/other.json': other }, args: ['resolve', '', '--config_file', '{root}/configs/inference.yaml'] }),
  );
  sample(overrideTokens, 4).forEach((tokens, i) =>
    specs.push({ name: `generated overrides ${i}`, files: { 'configs/inference.json': JSON.stringify(base), 'configs/other.json': other }, args: ['resolve', 'x', '--config_file', '{cfg}', ...tokens] }),
  );
  sample(fc.array(sigilString, { minLength: 1, maxLength: 3 }), 5).forEach((items, i) =>
    specs.push({ name: `generated run section ${i}`, files: { 'configs/inference.json': JSON.stringify({ ...base, run: items }) }, args: RUN }),
  );
  return specs.slice(0, count);
}

/** Writes each spec's bundle under `dir` (one folder per case) and returns the cases for the harness. */
export function materialize(specs: Spec[], dir: string): HostileCase[] {
  return specs.map((spec, k) => {
    const root = path.join(dir, `case-${String(k).padStart(4, '0')}`);
    mkdirSync(path.join(root, 'configs'), { recursive: true });
    for (const [rel, content] of Object.entries(spec.files)) {
      const file = path.join(root, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      if (content === 'fifo') execFileSync('mkfifo', [file]);
      else if (content === 'dir') mkdirSync(file);
      else if (typeof content === 'string') writeFileSync(file, content);
      else symlinkSync(content.symlink, file);
    }
    const cfg = path.join(root, 'configs', 'inference.json');
    const args = spec.args.map((a) => a.replace('{cfg}', cfg).replace('{root}', root));
    return { name: spec.name, args, cwd: root, outputDir: root };
  });
}
