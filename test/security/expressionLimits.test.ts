/**
 * Regression tests for the expression attacks of the red team's report (issues 13 and 15, and the depth
 * leak of issue 10): each hostile expression ends in a typed error (or its right answer) quickly.
 */
import { expect } from 'chai';
import { builtinFunctions } from '../../src/config/builtinFunctions.js';
import { ExpressionEngine } from '../../src/config/expressions.js';
import { BundleError } from '../../src/errors/index.js';

// a generous time bound: these tests are about the other bounds, on a machine that may be shared
const engine = new ExpressionEngine({ timeoutMs: 20_000, maxDepth: 256 }, builtinFunctions);
const run = async (source: string, values: unknown[] = []) => engine.evaluate(engine.prepare(source), values);
async function failure(source: string, values: unknown[] = []): Promise<BundleError> {
  const err = await run(source, values).then(
    (v) => expect.fail(`expected an error, got ${JSON.stringify(v)?.slice(0, 100)}`),
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(BundleError);
  return err as BundleError;
}
const EVIL = `${'a'.repeat(40)}!`;

describe('security: expression attacks', () => {
  describe('catastrophic regular expressions run in linear time', () => {
    for (const [name, source, expected] of [
      ['$match', `$match('${EVIL}', /(a+)+$/)`, null],
      ['$contains', `$contains('${EVIL}', /^(a|aa)+$/)`, false],
      ['$replace', `$replace('${EVIL}', /(a*)*b/, 'x')`, EVIL],
      ['$split', `$split('${EVIL}', /(a+)+b/)`, [EVIL]],
    ] as const) {
      it(`catastrophic regex in ${name}`, async () => {
        const t0 = Date.now();
        expect(await run(source)).to.deep.equal(expected);
        expect(Date.now() - t0).to.be.below(5000); // backtracking would take longer than the universe's age
      });
    }

    it('keeps JSONata regex results: groups, flags, replacement groups, unicode positions', async () => {
      expect(await run("$match('ab12cd34', /([a-z]+)(\\d+)/)")).to.deep.equal([
        { match: 'ab12', index: 0, groups: ['ab', '12'] },
        { match: 'cd34', index: 4, groups: ['cd', '34'] },
      ]);
      expect(await run("$contains('Hello', /hello/i)")).to.equal(true);
      expect(await run("$replace('John Smith', /(\\w+)\\s(\\w+)/, '$2, $1')")).to.equal('Smith, John');
      expect(await run("$split('a1b22c', /\\d+/)")).to.deep.equal(['a', 'b', 'c']);
      expect(await run("$match('é1', /\\d/).index")).to.equal(1);
      expect(await run("$replace('a.nii.gz', /\\.nii(\\.gz)?$/, '_seg.nii.gz')")).to.equal('a_seg.nii.gz');
    });

    it('a backreference (which needs backtracking) is a typed error naming the pattern', async () => {
      const err = await failure("$match('aa', /(a)\\1/)");
      expect(err.kind).to.equal('expression_limit');
      expect(err.message).to.contain('/(a)\\1/').and.contain('backreferences');
    });
  });

  describe('allocating builtins are bounded', () => {
    it('$sort over 1e7 items stops at the list bound, naming the flag', async () => {
      const t0 = Date.now();
      const err = await failure('$sort([1..10000000])');
      expect(err.kind).to.equal('expression_limit');
      expect(err.message).to.contain('10000000 items').and.contain('100000');
      expect(err.hint).to.contain('--expression_max_items');
      expect(Date.now() - t0).to.be.below(10_000);
    });

    it('$pad to 5e8 characters is refused before it allocates', async () => {
      const err = await failure("$pad('x', 500000000)");
      expect(err.kind).to.equal('expression_limit');
      expect(err.message).to.contain('500000000');
      expect(err.hint).to.contain('--expression_max_chars');
    });

    it('$pad within the bound keeps JSONata results (code points, left padding, multi-character fill)', async () => {
      expect(await run("$pad('é', 3, '#')")).to.equal('é##');
      expect(await run("$pad('5', -3, '0')")).to.equal('005');
      expect(await run("$pad('a', 6, 'xy')")).to.equal('axyxyx');
    });

    it('$distinct over 300,000 items stops at the list bound; 100,000 items run in linear time', async () => {
      expect((await failure('$distinct([1..300000])')).kind).to.equal('expression_limit');
      const t0 = Date.now();
      expect(await run('$count($distinct([1..100000]))')).to.equal(100000);
      expect(Date.now() - t0).to.be.below(5000); // the quadratic one: 5e9 comparisons, minutes
      expect(await run("$distinct([{'a': 1, 'b': [2]}, {'b': [2], 'a': 1}, 1, '1', 1, [1], [1]])")).to.deep.equal([{ a: 1, b: [2] }, 1, '1', [1]]);
    });

    it('$number($pad("1", 5e7, "1")) ends in a short message, not a 50 MB one', async () => {
      const err = await failure("$number($pad('1', 50000000, '1'))");
      expect(err.kind).to.equal('expression_limit');
      expect(err.message.length).to.be.below(500);
      const within = await failure("$number($pad('x', 900000, 'x'))");
      expect(within.message.length).to.be.below(800);
    });

    it('the range [1..1e9] is a typed limit error', async () => {
      const err = await failure('[1..1000000000]');
      expect(err.kind).to.equal('expression_limit');
      expect(err.hint).to.contain('--expression_max_items');
    });

    it('many large values built in one evaluation stop at the total bound', async () => {
      const err = await failure("$count([1..100].$pad('', 900000))");
      expect(err.kind).to.equal('expression_limit');
      expect(err.message).to.contain('in all');
    });

    it('the bounds are settable (the flags raise them)', async () => {
      const big = new ExpressionEngine({ maxItems: 400_000 });
      expect(await big.evaluate(big.prepare('$count($distinct([1..300000]))'), [])).to.equal(300000);
    });
  });

  describe('the recursion-depth count does not leak in constructors (JSONata 2.2)', () => {
    for (const source of [
      "$map([1..200], function($v){ {'image': $v} })",
      "$map([1..300], function($v){ {'image': $v, 'label': $v} })",
      '$map([1..300], function($v){ [$v, $v + 1] })',
      "[1..300].{'a': $, 'b': $}",
      "$reduce([1..400], function($a, $v){ $append($a, [{'k': $v, 'j': [$v, $v]}]) }, [])",
    ]) {
      it(source, async () => {
        const out = (await run(source)) as unknown[];
        expect(out).to.be.an('array').with.length.above(199);
      });
    }

    it('recursion hidden in a parallel branch still meets the depth bound', async () => {
      const err = await failure('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; [0, $f(100000)])');
      expect(err.message).to.contain('256 levels');
    });
  });

  describe('Python forms are errors, not null', () => {
    it('datetime.now().strftime(...)', async () => {
      const err = await failure("datetime.now().strftime('%Y%m%d')");
      expect(err.kind).to.equal('python_expression');
      expect(err.hint).to.contain('$now(');
    });

    it('a method call on a value (@x.upper(), @evaluator.run())', async () => {
      expect((await failure('@x.upper()', ['a'])).kind).to.equal('python_expression');
      expect((await failure('@e.run()', [{}])).hint).to.contain('$$run(@evaluator)');
    });
  });
});

describe('security: bounds do not refuse ordinary large work', () => {
  it('a batch of 20,000 files, each given a 132-label list by reference, is not counted as building it each time', async () => {
    const engine = new ExpressionEngine({ timeoutMs: 60_000 }, builtinFunctions);
    const files = Array.from({ length: 20_000 }, (_, k) => `/data/case${k}.nii.gz`);
    const labels = Array.from({ length: 132 }, (_, k) => k + 1);
    const p = engine.prepare("$map(@files, function($f){ {'image': $f, 'label_prompt': @labels} })");
    const out = (await engine.evaluate(p, [files, labels])) as Array<{ label_prompt: number[] }>;
    expect(out).to.have.length(20_000);
    expect(out[19_999]!.label_prompt).to.have.length(132);
  });
});
