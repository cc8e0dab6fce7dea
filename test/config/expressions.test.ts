import { expect } from 'chai';
import { ExpressionEngine, scanExpression } from '../../src/config/expressions.js';
import { builtinFunctions } from '../../src/config/builtinFunctions.js';
import { BundleError } from '../../src/errors/index.js';

const refsOf = (source: string) => scanExpression(source).refs.map((r) => r.text);

describe('scanExpression', () => {
  it('finds references in code and binds each distinct one once', () => {
    const s = scanExpression('@a * @a + @b::c#0');
    expect(s.refs.map((r) => r.text)).to.deep.equal(['@a', '@b::c#0']);
    expect(s.code).to.equal('$__ref0 * $__ref0 + $__ref1');
  });

  it('takes the longest id, so @t#A and @t#A_B are different references', () => {
    expect(refsOf('@t#A + @t#A_B')).to.deep.equal(['@t#A', '@t#A_B']);
  });

  it('leaves @ inside string literals, comments, backtick names and regex literals alone', () => {
    expect(refsOf(`'@a' & "@b" & "x\\"@c" /* @d */ & \`@e\``)).to.deep.equal([]);
    expect(refsOf('$match(@s, /a@b/)')).to.deep.equal(['@s']);
    expect(refsOf('@n / 2 + @m')).to.deep.equal(['@n', '@m']);
  });

  it('parses relative prefixes', () => {
    const [r] = scanExpression('@##x + 1').refs;
    expect(r!.relative).to.deep.equal({ up: 2, path: ['x'] });
  });

  it("does not treat JSONata's own @$var binding as a reference", () => {
    expect(refsOf('Account.Order@$o')).to.deep.equal([]);
  });
});

describe('ExpressionEngine', () => {
  const engine = new ExpressionEngine({ timeoutMs: 200, maxDepth: 64 }, builtinFunctions);

  it('compiles each distinct source once and shares code between sources that differ only in ids', () => {
    const a = engine.prepare('@g1::a + @g1::b');
    expect(engine.prepare('@g1::a + @g1::b')).to.equal(a);
    expect(engine.prepare('@g2::a + @g2::b').compiled).to.equal(a.compiled);
  });

  it('evaluates with references bound to the values given', async () => {
    const p = engine.prepare("@name & '-' & $string(@n * 2)");
    expect(await engine.evaluate(p, ['unet', 21])).to.equal('unet-42');
  });

  it('reports syntax errors as expression_syntax, writing references back as written', () => {
    expect(() => engine.prepare('@a +')).to.throw(BundleError).with.property('kind', 'expression_syntax');
  });

  it('reports runtime errors as expression_error', async () => {
    const p = engine.prepare('@s * 2');
    const err = (await engine.evaluate(p, ['abc']).catch((e: unknown) => e)) as BundleError;
    expect(err).to.be.instanceOf(BundleError).with.property('kind', 'expression_error');
    expect(err.location.path).to.equal('$@s * 2');
  });

  it('stops an endless loop at the time bound', async () => {
    const p = engine.prepare('($loop := function($n){ $loop($n + 1) }; $loop(0))');
    const t0 = Date.now();
    const err = (await engine.evaluate(p, []).catch((e: unknown) => e)) as BundleError;
    expect(err).to.be.instanceOf(BundleError).with.property('kind', 'expression_error');
    expect(err.message).to.contain('200 ms');
    expect(Date.now() - t0).to.be.below(5000);
  });

  it('stops unbounded recursion at the depth bound', async () => {
    const p = engine.prepare('($f := function($n){ $n + $f($n + 1) }; $f(1))');
    const err = (await engine.evaluate(p, []).catch((e: unknown) => e)) as BundleError;
    expect(err).to.be.instanceOf(BundleError).with.property('kind', 'expression_error');
    expect(err.message).to.contain('64 levels');
  });

  it('does not count time spent in host functions against the bound', async () => {
    const slow = new ExpressionEngine({ timeoutMs: 50, maxDepth: 64 }, {
      wait: { implementation: () => new Promise((r) => setTimeout(() => r(7), 120)) },
    });
    expect(await slow.evaluate(slow.prepare('$wait() + 1'), [])).to.equal(8);
  });

  it('calls JSONata function values from the host, each call under a fresh bound', async () => {
    const double = await engine.evaluate(engine.prepare('function($x){ $x * 2 }'), []);
    await new Promise((r) => setTimeout(r, 250)); // longer than the bound since the function was made
    expect(await engine.call(double, [21])).to.equal(42);
  });

  it('offers the registered path functions', async () => {
    const v = await engine.evaluate(engine.prepare("[$path_join('/data', 'ct', 'a.nii.gz'), $dirname('/a/b.json'), $basename('/a/b.json', '.json'), $extname('x.nii.gz')]"), []);
    expect(v).to.deep.equal(['/data/ct/a.nii.gz', '/a', 'b', '.gz']);
  });

  it('returns plain arrays and null for no match', async () => {
    const v = await engine.evaluate(engine.prepare('[1..3]'), []);
    expect(Array.isArray(v) && Object.keys(v as object)).to.deep.equal(['0', '1', '2']);
    expect(await engine.evaluate(engine.prepare('@d.missing'), [{ a: 1 }])).to.equal(null);
  });
});

describe('Python forms', () => {
  const engine = new ExpressionEngine();
  const cases: Array<[string, RegExp]> = [
    ['import json', /JSONata/],
    ['from os import path', /registry/],
    ['lambda x: x + 1', /\$function\(\$x\)/],
    ['torch.device("cpu")', /JSONata functions/],
    ['os.path.join(@a, "b")', /\$path_join/],
    ['@a if @b else @c', /c \? x : y/],
    ['len(@a)', /\$count/],
    ['@a is None', /null/],
    ['[i for i in @a]', /\$map/],
  ];
  for (const [source, hint] of cases) {
    it(`rejects "${source}" with the JSONata to write instead`, () => {
      let err: BundleError | undefined;
      try {
        engine.prepare(source);
      } catch (e) {
        err = e as BundleError;
      }
      expect(err).to.be.instanceOf(BundleError);
      expect(err!.kind).to.equal('python_expression');
      expect(err!.hint).to.match(hint);
    });
  }

  it('accepts JSONata that merely contains such words in names and strings', () => {
    for (const s of ["@important + 1", "'import x' & @a", '@np.x', 'function($x){ $x }', "$count(@a) > 0 and @b", '@cfg.torch']) {
      expect(() => engine.prepare(s), s).not.to.throw();
    }
  });
});
