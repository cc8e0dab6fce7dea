import { expect } from 'chai';
import fc from 'fast-check';
import { formatCliValue, parseCliValue, parseFileList, parseOverrideArgs } from '../../src/config/overrides.js';
import { BundleError } from '../../src/errors/index.js';

describe('parseCliValue', () => {
  it('reads JSON text as JSON', () => {
    expect(parseCliValue('5')).to.equal(5);
    expect(parseCliValue('true')).to.equal(true);
    expect(parseCliValue('null')).to.equal(null);
    expect(parseCliValue('[1,2]')).to.deep.equal([1, 2]);
    expect(parseCliValue('{"k":1}')).to.deep.equal({ k: 1 });
    expect(parseCliValue('"quoted"')).to.equal('quoted');
  });

  it('accepts True/False/None as true/false/null', () => {
    expect(parseCliValue('True')).to.equal(true);
    expect(parseCliValue('False')).to.equal(false);
    expect(parseCliValue('None')).to.equal(null);
  });

  it('accepts single-quoted Python list, tuple and dict literals', () => {
    expect(parseCliValue("['a.json','b.json']")).to.deep.equal(['a.json', 'b.json']);
    expect(parseCliValue("{'image': 'ct.nii.gz', 'k': None, 'n': 2.5}")).to.deep.equal({ image: 'ct.nii.gz', k: null, n: 2.5 });
    expect(parseCliValue('(1, 2,)')).to.deep.equal([1, 2]);
  });

  it('keeps anything else as the string itself', () => {
    for (const s of ['/data/x.nii.gz', "$@a & 'x'", '%other.json::net', 'a,b', '[not a list', 'none', '']) {
      expect(parseCliValue(s)).to.equal(s);
    }
  });

  it('round-trips every JSON value through formatCliValue (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(parseCliValue(formatCliValue(v))).to.deep.equal(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseFileList', () => {
  it('takes one path, a comma-separated list or a list literal', () => {
    expect(parseFileList('a.json')).to.deep.equal(['a.json']);
    expect(parseFileList('a.json,b.yaml')).to.deep.equal(['a.json', 'b.yaml']);
    expect(parseFileList("['a.json','b.json']")).to.deep.equal(['a.json', 'b.json']);
    expect(parseFileList('["a.json"]')).to.deep.equal(['a.json']);
  });

  it('rejects a list literal that does not hold paths', () => {
    expect(() => parseFileList('[1, 2]')).to.throw(BundleError).with.property('kind', 'usage');
  });
});

describe('parseOverrideArgs', () => {
  it('collects --id value and --id=value pairs in order, with their CLI origin', () => {
    const parsed = parseOverrideArgs(['--a::b', '3', '--a#c=x', '--+l', '[1]', '--n', '-5']);
    expect(parsed.map((p) => [p.id, p.value])).to.deep.equal([['a::b', 3], ['a#c', 'x'], ['+l', [1]], ['n', -5]]);
    expect(parsed[0]!.origin).to.deep.equal({ source: 'cli', detail: '--a::b 3' });
  });

  it('rejects an override without a value, naming it', () => {
    expect(() => parseOverrideArgs(['--a', '--b', '1'])).to.throw(/--a has no value/).with.property('kind', 'invalid_override');
    expect(() => parseOverrideArgs(['--a'])).to.throw(BundleError).with.property('kind', 'invalid_override');
  });

  it('rejects a stray argument', () => {
    expect(() => parseOverrideArgs(['stray'])).to.throw(BundleError).with.property('kind', 'invalid_override');
  });
});
