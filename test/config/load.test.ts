import { expect } from 'chai';
import path from 'node:path';
import { loadConfigFile } from '../../src/config/load.js';
import { OriginTable } from '../../src/config/provenance.js';
import { BundleError } from '../../src/errors/index.js';
import { TmpDirs } from './tmpBundle.js';

describe('loadConfigFile', () => {
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());

  const load = (name: string, text: string) => {
    const dir = tmp.bundle({ [name]: text });
    const origins = new OriginTable();
    return { origins, ...loadConfigFile(path.join(dir, name), origins) };
  };
  const errorOf = (name: string, text: string): BundleError => {
    try {
      load(name, text);
    } catch (e) {
      return e as BundleError;
    }
    throw new Error('expected an error');
  };

  it('reads JSON exactly as JSON.parse does', () => {
    const text = '{"a": [1, -2.5e3, "x\\u00e9\\n", true, null, {}], "b": {"c": "\\"q\\""}}';
    expect(load('c.json', text).value).to.deep.equal(JSON.parse(text));
  });

  it('records the line and column of every key and list element', () => {
    const { value, origins, file } = load('c.json', '{\n  "a": {\n    "b": [10,\n      20]\n  }\n}');
    const a = (value as { a: { b: number[] } }).a;
    expect(origins.get(value as object, 'a')).to.deep.equal({ source: 'file', file, line: 2, column: 3 });
    expect(origins.get(a.b, 1)).to.include({ line: 4, column: 7 });
  });

  it('rejects a duplicate JSON key, naming it and its line', () => {
    const err = errorOf('c.json', '{\n "k": {"u": 1,\n  "d": 0,\n  "d": 4}}');
    expect(err.kind).to.equal('duplicate_key');
    expect(err.message).to.contain('"d"');
    expect(err.location.origin).to.include({ line: 4, column: 3 });
  });

  it('reports invalid JSON with its position', () => {
    const err = errorOf('c.json', '{\n "a": 1,\n}');
    expect(err.kind).to.equal('parse_error');
    expect(err.location.origin).to.include({ line: 3 });
  });

  it('keeps "__proto__" as a plain key without touching prototypes', () => {
    const v = load('c.json', '{"__proto__": {"polluted": 1}}').value as Record<string, unknown>;
    expect(Object.keys(v)).to.deep.equal(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('reads YAML 1.2 core schema with positions', () => {
    const { value, origins } = load('c.yaml', 'a: yes\nb:\n  - 1e3\n  - 0x10\nc: 2024-01-15\n');
    expect(value).to.deep.equal({ a: 'yes', b: [1000, 16], c: '2024-01-15' });
    expect(origins.get((value as { b: unknown[] }).b, 1)).to.include({ line: 4, column: 5 });
  });

  it('expands YAML aliases into independent copies and does not treat << as a merge', () => {
    const v = load('c.yaml', 'x: &x {k: 1}\ny: *x\nz: {<<: *x}\n').value as Record<string, any>;
    expect(v.y).to.deep.equal({ k: 1 });
    expect(v.y).not.to.equal(v.x);
    expect(v.z).to.deep.equal({ '<<': { k: 1 } });
  });

  it('rejects a duplicate YAML key', () => {
    expect(errorOf('c.yml', 'a: 1\na: 2\n').kind).to.equal('duplicate_key');
  });

  it('rejects keys with :: or # below the top level, but not at the top', () => {
    expect(errorOf('c.json', '{"a": {"b::c": 1}}').kind).to.equal('invalid_key');
    expect(errorOf('c.yaml', 'l:\n  - {"x#y": 1}\n').kind).to.equal('invalid_key');
    expect(load('c.json', '{"a::b": 1, "+c#d": 2}').value).to.deep.equal({ 'a::b': 1, '+c#d': 2 });
  });

  it('rejects other extensions and missing files with their kinds', () => {
    expect(errorOf('c.txt', '{}').kind).to.equal('unknown_file_type');
    expect(() => loadConfigFile('/nonexistent/x.json', new OriginTable())).to.throw(BundleError).with.property('kind', 'config_file_not_found');
  });
});
