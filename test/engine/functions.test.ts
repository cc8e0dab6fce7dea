import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BundleError } from '../../src/errors/index.js';
import type { Handler } from '../../src/engine/events.js';
import { engineFunctions, runMethod } from '../../src/engine/functions.js';
import { globFiles } from '../../src/engine/glob.js';
import { declareRunnable } from '../../src/registry/runnable.js';

/** As the registry marks what it builds. */
function built<T>(value: T, methods: string[] = []): T {
  declareRunnable(value, 'Test', methods);
  return value;
}

describe('$run', () => {
  it('calls the component\'s run method and returns its result', async () => {
    const component = built({ calls: 0, async run() { return ++this.calls; } });
    expect(await engineFunctions().run!.implementation(component)).to.equal(1);
    expect(await runMethod(component, 'run')).to.equal(2);
  });

  it('calls another method when named', async () => {
    expect(await runMethod(built({ reset: () => 'was reset' }, ['reset']), 'reset')).to.equal('was reset');
  });

  it('$run(@list, "pop") is refused: plain values are not components, and a list is not mutated', async () => {
    const list = [1, 2, 3];
    const error = (await runMethod(list, 'pop').catch((e: unknown) => e)) as BundleError;
    expect(error).to.be.instanceOf(BundleError).with.property('kind', 'invalid_arguments');
    expect(error.message).to.contain('a list').and.contain('components');
    expect(list).to.deep.equal([1, 2, 3]);
    expect(((await runMethod({ a: 1 }, 'toString').catch((e: unknown) => e)) as BundleError).message).to.contain('components');
  });

  it('only run and the declared methods are callable on a component (not toString, not constructor)', async () => {
    const component = built({ run: () => 'ran', reset: () => 'reset', wipe: () => 'wiped' }, ['reset']);
    expect(await runMethod(component, 'reset')).to.equal('reset');
    for (const name of ['wipe', 'toString', 'constructor', '__proto__']) {
      const error = (await runMethod(component, name).catch((e: unknown) => e)) as BundleError;
      expect(error.message, name).to.contain('"run", "reset"').and.contain(`not "${name}"`);
    }
  });

  it('attaches the run\'s handlers to an evaluator before running it, once', async () => {
    const handler: Handler = { onEvent() {} };
    const added: Handler[] = [];
    const evaluator = built({ addHandler: (h: Handler) => void added.push(h), run: async () => 'ok' });
    const fns = engineFunctions({ handlers: [handler] });
    await fns.run!.implementation(evaluator);
    expect(added).to.deep.equal([handler]);
  });

  it('says what it got when the value has no such method (e.g. a disabled component)', async () => {
    const error = await runMethod(null).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(BundleError);
    expect((error as BundleError).message).to.contain('null').and.contain('"run"');
    const error2 = await runMethod(built({}, ['go']), 'go').then(() => undefined, (e: unknown) => e);
    expect((error2 as BundleError).message).to.contain('a Object').and.contain('"go"');
  });
});

describe('$glob', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'glob-'));
    for (const f of ['b.nii.gz', 'a.nii.gz', 'a1.nii', 'c.txt', '.hidden.nii.gz', 'sub/d.nii.gz', 'sub/deeper/e.nii.gz']) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), '');
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists matching files, sorted, joined to the folder as given, without hidden files', () => {
    expect(globFiles(dir, '*.nii.gz')).to.deep.equal([path.join(dir, 'a.nii.gz'), path.join(dir, 'b.nii.gz')]);
  });

  it('supports ? and [..] in a segment', () => {
    expect(globFiles(dir, 'a?.nii').map((f) => path.basename(f))).to.deep.equal(['a1.nii']);
    expect(globFiles(dir, '[ab].nii.gz').map((f) => path.basename(f))).to.deep.equal(['a.nii.gz', 'b.nii.gz']);
  });

  it('descends folders with **', () => {
    expect(globFiles(dir, '**/*.nii.gz').map((f) => path.relative(dir, f))).to.deep.equal([
      'a.nii.gz', 'b.nii.gz', 'sub/d.nii.gz', 'sub/deeper/e.nii.gz',
    ]);
    expect(globFiles(dir, 'sub/*.nii.gz').map((f) => path.relative(dir, f))).to.deep.equal(['sub/d.nii.gz']);
  });

  it('returns an empty list when nothing matches, and an error for a missing folder', () => {
    expect(globFiles(dir, '*.dcm')).to.deep.equal([]);
    expect(() => globFiles(path.join(dir, 'nope'), '*')).to.throw(BundleError, /does not exist/);
  });
});
