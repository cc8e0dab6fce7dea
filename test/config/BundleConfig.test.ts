import { expect } from 'chai';
import path from 'node:path';
import { loadConfig, type LoadConfigOptions } from '../../src/config/index.js';
import { BundleError } from '../../src/errors/index.js';
import { Registry } from '../../src/registry/Registry.js';
import { builtinEntries } from '../../src/registry/builtins.js';
import type { ComponentEntry } from '../../src/registry/ComponentEntry.js';
import { TmpDirs } from './tmpBundle.js';

let built = 0;
const counter: ComponentEntry = {
  name: 'Counter',
  aliases: ['monai.test.Counter'],
  description: 'counts its constructions',
  argsSchema: { type: 'object', properties: { start: { type: 'integer' } }, additionalProperties: false },
  create: (args: { start?: number }) => ({ n: ++built, start: args.start ?? 0 }),
};
const registry = () => new Registry([...builtinEntries, counter]);

describe('BundleConfig', () => {
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());

  async function config(files: Record<string, unknown>, options: Partial<LoadConfigOptions> = {}) {
    const dir = tmp.bundle(files);
    const first = Object.keys(files).find((f) => !f.endsWith('metadata.json'))!;
    return loadConfig({ configFiles: [path.join(dir, first)], registry: registry(), ...options });
  }
  async function failure(p: Promise<unknown>): Promise<BundleError> {
    const e = await p.then(() => undefined, (err: unknown) => err);
    expect(e, 'expected a BundleError').to.be.instanceOf(BundleError);
    return e as BundleError;
  }

  describe('provenance', () => {
    it('knows the file, line and column of every value and the layers it overrode', async () => {
      const dir = tmp.bundle({
        'configs/a.json': '{\n  "x": 1,\n  "y": {"z": 2}\n}',
        'configs/b.json': '{\n\n  "x": 5\n}',
      });
      const c = await loadConfig({
        configFiles: [path.join(dir, 'configs/a.json'), path.join(dir, 'configs/b.json')],
        overrides: [{ id: 'x', value: 9 }],
      });
      const o = c.origin('x')!;
      expect(o).to.include({ source: 'cli', detail: '--x' });
      expect(o.overrode).to.include({ source: 'file', file: path.join(dir, 'configs/b.json'), line: 3, column: 3 });
      expect(o.overrode!.overrode).to.include({ file: path.join(dir, 'configs/a.json'), line: 2 });
      expect(c.origin('y::z')).to.include({ line: 3, column: 9 });
      expect(c.bundleRoot).to.equal(dir);
    });

    it('marks values pasted by a macro with the macro and the original place', async () => {
      const c = await config({ 'configs/c.json': '{"a": {"k": 1},\n "b": "%a"}' });
      expect(c.origin('b')).to.include({ source: 'macro', detail: '%a', line: 2 });
      expect(c.origin('b::k')).to.include({ source: 'macro', detail: '%a', line: 1 });
    });
  });

  describe('resolve', () => {
    it('builds each component once and gives every referrer the same instance', async () => {
      const c = await config({ 'c.json': { net: { _target_: 'Counter' }, a: '@net', b: ['@net'] } });
      const [a, b] = await Promise.all([c.resolve('a'), c.resolve('b')]);
      expect(a).to.equal((b as unknown[])[0]);
      expect(await c.resolve('net')).to.equal(a);
    });

    it('resolves MONAI dotted aliases to the same entry', async () => {
      const c = await config({ 'c.json': { n: { _target_: 'monai.test.Counter', start: 3 } } });
      expect(await c.resolve('n')).to.include({ start: 3 });
    });

    it('names the referring id, where it was written and the closest ids for a missing reference', async () => {
      const c = await config({ 'c.json': '{"network_def": {"in_chans": 1},\n "x": "@network_def::in_channels"}' });
      const err = await failure(c.resolve('x'));
      expect(err.kind).to.equal('missing_reference');
      expect(err.location.id).to.equal('x');
      expect(err.location.origin).to.include({ line: 2 });
      expect(err.candidates).to.include('network_def::in_chans');
    });

    it('prints the whole cycle', async () => {
      const c = await config({ 'c.json': { a: '@b', b: '$@c + 1', c: ['@a'] } });
      const err = await failure(c.resolve('a'));
      expect(err.kind).to.equal('circular_reference');
      expect(err.cycle).to.deep.equal(['a', 'b', 'c', 'c::0', 'a']);
    });

    it('resolves chains far longer than the JS stack would allow by recursion', async () => {
      const files: Record<string, unknown> = { x0: 0 };
      for (let i = 1; i <= 20_000; i++) files[`x${i}`] = `@x${i - 1}`;
      const c = await config({ 'c.json': files });
      expect(await c.resolve('x20000')).to.equal(0);
    });

    it('validates arguments against the entry schema, naming component and argument', async () => {
      const c = await config({ 'c.json': { n: { _target_: 'Counter', start: 'zero' } } });
      const err = await failure(c.resolve('n'));
      expect(err.kind).to.equal('invalid_arguments');
      expect(err.location).to.include({ id: 'n', path: '/start' });
      expect(err.message).to.contain('Counter').and.contain('"start"');
    });

    it('suggests registered names for an unknown _target_', async () => {
      const c = await config({ 'c.json': { n: { _target_: 'monai.x.Countr' } } });
      const err = await failure(c.resolve('n'));
      expect(err.kind).to.equal('unknown_target');
      expect(err.candidates).to.include('Counter');
    });

    it('gives a callable-mode component as a function whose argument overrides the configured ones', async () => {
      const c = await config({ 'c.json': { mk: { _target_: 'dict', _mode_: 'callable', a: 1, b: 2 }, r: '$@mk({"b": 3})' } });
      expect(await c.resolve('r')).to.deep.equal({ a: 1, b: 3 });
      const mk = (await c.resolve('mk')) as (o?: object) => Promise<unknown>;
      expect(await mk()).to.deep.equal({ a: 1, b: 2 });
    });

    it('prints the resolved arguments and the result type in debug mode', async () => {
      const lines: string[] = [];
      const c = await config({ 'c.json': { d: { _target_: 'dict', _mode_: 'debug', k: '@v' }, v: [1] } }, { debugSink: (t) => lines.push(t) });
      await c.resolve('d');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.contain('{"k":[1]}').and.contain('Object');
    });

    it('rejects a _disabled_ value that is neither boolean-like nor null', async () => {
      const c = await config({ 'c.json': { d: { _target_: 'dict', _disabled_: 'maybe' } } });
      expect((await failure(c.resolve('d'))).kind).to.equal('invalid_arguments');
    });

    it('passes registered expression functions from higher layers', async () => {
      const c = await config({ 'c.json': { r: '$$twice(@n)', n: 4 } }, { functions: { twice: { implementation: (x: number) => 2 * x, signature: '<n:n>' } } });
      expect(await c.resolve('r')).to.equal(8);
    });
  });

  describe('runItem', () => {
    it('re-executes a section item each time while what it references stays built', async () => {
      built = 0;
      const calls: unknown[] = [];
      const c = await config(
        { 'c.json': { net: { _target_: 'Counter' }, run: ['$$record(@net)'] } },
        { functions: { record: { implementation: (x: unknown) => (calls.push(x), calls.length) } } },
      );
      expect(await c.runItem('run::0')).to.equal(1);
      expect(await c.runItem('run::0')).to.equal(2);
      expect(calls[0]).to.equal(calls[1]);
      expect(built).to.equal(1);
    });
  });

  describe('loading', () => {
    it('refuses a macro path outside the bundle root unless allowed', async () => {
      const dir = tmp.bundle({ 'outside.json': { v: 1 }, 'b/configs/c.json': { x: '%../outside.json::v' } });
      const file = path.join(dir, 'b/configs/c.json');
      const err = await failure(loadConfig({ configFiles: [file] }));
      expect(err.kind).to.equal('macro_error');
      const c = await loadConfig({ configFiles: [file], allowOutsideBundleRoot: true });
      expect(await c.resolve('x')).to.equal(1);
    });

    it('treats a named but missing meta file as config_file_not_found', async () => {
      const dir = tmp.bundle({ 'c.json': {} });
      const err = await failure(loadConfig({ configFiles: [path.join(dir, 'c.json')], metaFiles: [path.join(dir, 'meta.json')] }));
      expect(err.kind).to.equal('config_file_not_found');
    });

    it('lists ids in document order and answers has/raw', async () => {
      const c = await config({ 'c.json': { b: { x: [1] }, a: '@b' } });
      expect(c.ids()).to.deep.equal(['b', 'b::x', 'b::x::0', 'a', '_meta_']);
      expect(c.has('b#x#0')).to.equal(true);
      expect(c.raw('a')).to.equal('@b');
      expect(() => c.raw('zz')).to.throw(BundleError).with.property('kind', 'id_not_found');
    });
  });

  describe('check', () => {
    it('reports every problem at once without building anything', async () => {
      built = 0;
      const c = await config({
        'c.json': {
          ok: { _target_: 'Counter', start: 1 },
          badref: '@nope',
          badtarget: { _target_: 'Countr' },
          badargs: { _target_: 'Counter', start: 'x' },
          dynamicargs: { _target_: 'Counter', start: '@ok::start' },
          syntax: '$1 +',
          python: '$import os',
          cyc1: '@cyc2',
          cyc2: '$@cyc1',
          mode: { _target_: 'dict', _mode_: 'partial' },
          off: { _target_: 'Nothing', _disabled_: true, k: '@absent' },
          desc: { _target_: 'dict', _desc_: '@not_a_reference' },
        },
      });
      const problems = await c.check();
      expect(problems.map((p) => [p.kind, p.location.id])).to.deep.equal([
        ['missing_reference', 'badref'],
        ['unknown_target', 'badtarget'],
        ['invalid_arguments', 'badargs'],
        ['expression_syntax', 'syntax'],
        ['python_expression', 'python'],
        ['circular_reference', 'cyc2'],
        ['invalid_mode', 'mode'],
      ]);
      expect(built).to.equal(0);
    });

    it('reports references in both directions for explain', async () => {
      const c = await config({ 'c.json': { a: 1, b: { x: '@a', y: '$@c + 1' }, c: 2, d: '@b::x' } });
      expect(c.references('b')).to.have.members(['a', 'c']);
      expect(c.referrers('a')).to.deep.equal(['b::x']);
      expect(c.referrers('b')).to.deep.equal(['d']);
    });
  });
});
