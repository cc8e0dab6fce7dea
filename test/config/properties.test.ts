/** Property tests: determinism, merge order, and that no input escapes the error model. */
import { expect } from 'chai';
import fc from 'fast-check';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { BundleError, BundleErrorList } from '../../src/errors/index.js';
import { builtinEntries } from '../../src/registry/builtins.js';
import { Registry } from '../../src/registry/Registry.js';
import { TmpDirs } from './tmpBundle.js';

type Node = { kind: 'value'; v: number } | { kind: 'ref'; to: number } | { kind: 'expr'; a: number; b: number } | { kind: 'list'; to: number[] };

/** Lists hold only items whose value is a number, so every expression sums a flat list (as $sum needs). */
function flatten(nodes: Node[]): Node[] {
  const numeric: boolean[] = [];
  return nodes.map((node, i) => {
    const out: Node = node.kind === 'list' ? { kind: 'list', to: node.to.filter((t) => numeric[t]) } : node;
    numeric[i] = out.kind === 'value' || out.kind === 'expr' || (out.kind === 'ref' && numeric[out.to]!);
    return out;
  });
}

/** A random acyclic config: item i only refers to items before it in creation order. */
const dag = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.tuple(
    fc.tuple(...Array.from({ length: n }, (_, i) =>
      i === 0
        ? fc.integer({ min: -50, max: 50 }).map((v): Node => ({ kind: 'value', v }))
        : fc.oneof(
            fc.integer({ min: -50, max: 50 }).map((v): Node => ({ kind: 'value', v })),
            fc.nat(i - 1).map((to): Node => ({ kind: 'ref', to })),
            fc.tuple(fc.nat(i - 1), fc.nat(i - 1)).map(([a, b]): Node => ({ kind: 'expr', a, b })),
            fc.array(fc.nat(i - 1), { maxLength: 3 }).map((to): Node => ({ kind: 'list', to })),
          ),
    )),
    fc.func(fc.integer()),
  ),
);

function expected(nodes: Node[]): unknown[] {
  const out: unknown[] = [];
  nodes.forEach((node) => {
    if (node.kind === 'value') out.push(node.v);
    else if (node.kind === 'ref') out.push(out[node.to]);
    else if (node.kind === 'expr') out.push(sum(out[node.a]) + sum(out[node.b]));
    else out.push(node.to.map((t) => out[t]));
  });
  return out;
}
const sum = (v: unknown): number => (Array.isArray(v) ? v.reduce((s: number, x) => s + sum(x), 0) : (v as number));

function raw(node: Node): unknown {
  if (node.kind === 'value') return node.v;
  if (node.kind === 'ref') return `@n${node.to}`;
  if (node.kind === 'expr') return `$$sum([@n${node.a}]) + $sum([@n${node.b}])`;
  return node.to.map((t) => `@n${t}`);
}

describe('config properties', function () {
  this.timeout(120_000);
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());

  it('random reference/expression configs resolve to the same values whatever the document order', async () => {
    await fc.assert(
      fc.asyncProperty(dag, async ([generated, order]) => {
        const nodes = flatten(generated);
        const keys = nodes.map((_, i) => i).sort((x, y) => order(x) - order(y) || x - y);
        const doc: Record<string, unknown> = {};
        for (const i of keys) doc[`n${i}`] = raw(nodes[i]!);
        const dir = tmp.bundle({ 'c.json': doc });
        const want = expected(nodes);
        const c1 = await loadConfig({ configFiles: [path.join(dir, 'c.json')] });
        const c2 = await loadConfig({ configFiles: [path.join(dir, 'c.json')] });
        const last = `n${nodes.length - 1}`;
        expect(await c1.resolve(last)).to.deep.equal(want[nodes.length - 1]);
        const all = (await c2.resolve('')) as Record<string, unknown>;
        for (let i = 0; i < nodes.length; i++) expect(all[`n${i}`]).to.deep.equal(want[i]);
        expect(Object.keys(all)).to.deep.equal([...keys.map((i) => `n${i}`), '_meta_']);
      }),
      { numRuns: 60 },
    );
  });

  it('merging files in order: later plain keys replace, + keys append or update', async () => {
    const file = fc.dictionary(fc.constantFrom('a', 'b', 'c', '+l', '+d'), fc.integer({ min: 0, max: 9 }), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 4 }), async (files) => {
        const layout: Record<string, unknown> = {};
        const want: Record<string, unknown> = { l: [], d: {} };
        files.forEach((f, i) => {
          const doc: Record<string, unknown> = i === 0 ? { l: [], d: {} } : {};
          for (const [k, v] of Object.entries(f)) {
            if (k === '+l') { doc[k] = [v]; (want.l as number[]).push(v); }
            else if (k === '+d') { doc[k] = { [`k${v}`]: i }; (want.d as Record<string, number>)[`k${v}`] = i; }
            else { doc[k] = v; want[k] = v; }
          }
          layout[`f${i}.json`] = doc;
        });
        const dir = tmp.bundle(layout);
        const c = await loadConfig({ configFiles: files.map((_, i) => path.join(dir, `f${i}.json`)) });
        const got = (await c.resolve('')) as Record<string, unknown>;
        delete got._meta_;
        expect(got).to.deep.equal(want);
      }),
      { numRuns: 60 },
    );
  });

  it('no input makes loading, resolving or checking throw anything but a BundleError', async () => {
    const text = fc.constantFrom(
      '@a', '@b::0', '@#a', '@###a', '$@a + 1', '$@b', '$', '$1 +', '$import os', '$function($x){$x}', '%a', '%b::0', '%#a', '%',
      '%x.json', '@', 'plain', '#ff', '$@a.k', '$$sum(@b)', '${"k": @a}', '$@f(1)', '$[1..3]', '$($f := function($n){ $f($n) }; $f(1))',
    );
    const key = fc.constantFrom('a', 'b', 'c', 'f', '_target_', '_disabled_', '_mode_', '_requires_', 'x::y', 'a#b', '+b', '__proto__', 'constructor');
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.constant(null), fc.boolean(), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
    })).v;
    const registry = new Registry(builtinEntries);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 5 }), async (doc) => {
        const dir = tmp.bundle({ 'configs/c.json': doc });
        try {
          const c = await loadConfig({ configFiles: [path.join(dir, 'configs/c.json')], registry, expressionTimeoutMs: 50, debugSink: () => {} });
          await c.check();
          for (const id of ['', ...c.ids()]) {
            try {
              await c.resolve(id);
            } catch (e) {
              if (!(e instanceof BundleError)) throw e;
            }
          }
        } catch (e) {
          if (!(e instanceof BundleError) && !(e instanceof BundleErrorList)) throw e;
        }
      }),
      { numRuns: 150 },
    );
  });
});
