import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadFromArgv } from '../../src/cli/configArgs.js';
import { builtinRegistry, targetsAllRegistered } from '../../src/cli/lazyRegistry.js';
import { defaultRegistry } from '../../src/cli/registry.js';
import type { BundleError } from '../../src/errors/index.js';
import { TmpDirs } from '../config/tmpBundle.js';
import { CLI } from './bundleCli.js';

/** Runs the built CLI with a module hook that reports every module it resolves; returns the layers loaded. */
function layersLoadedByCli(args: string[], cwd: string): string[] {
  const hook = 'export async function resolve(s,c,n){const r=await n(s,c);process.stderr.write("LOADED "+r.url+"\\n");return r}';
  const code = `import{register}from'node:module';register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)})`;
  const register = `data:text/javascript,${encodeURIComponent(code)}`;
  const r = spawnSync(process.execPath, ['--import', register, CLI, ...args], { cwd, encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  const layers = new Set<string>();
  for (const m of r.stderr.matchAll(/^LOADED file:.*\/dist\/(transforms|inference|engine|apps|image)\//gm)) layers.add(m[1]!);
  return [...layers].sort();
}

describe('CLI registry: layers loaded only when a config needs them', () => {
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());

  it('sees that a config whose targets are all builtins needs no layer', () => {
    const raw = { a: { _target_: 'dict', x: [{ _target_: 'builtins.dict' }] }, b: [1, 'Spacingd', { k: '@a' }] };
    expect(targetsAllRegistered(raw, builtinRegistry())).to.equal(true);
  });

  it('needs the layers for a layer name, a reference or expression target, or an unknown name, however deep', () => {
    const registry = builtinRegistry();
    expect(targetsAllRegistered({ a: [{ b: { _target_: 'Spacingd' } }] }, registry)).to.equal(false);
    expect(targetsAllRegistered({ a: { _target_: '@name' } }, registry)).to.equal(false);
    expect(targetsAllRegistered({ a: { _target_: "$'di' & 'ct'" } }, registry)).to.equal(false);
    expect(targetsAllRegistered({ a: { _target_: 'Dictt' } }, registry)).to.equal(false);
  });

  it('builds layer components named by a config, including through a reference target', async () => {
    const dir = tmp.bundle({
      'configs/c.json': { name: 'SimpleInferer', inferer: { _target_: '@name' }, d: { _target_: 'dict', x: 1 } },
    });
    const config = await loadFromArgv({ config_file: path.join(dir, 'configs/c.json') }, []);
    const inferer = (await config.resolve('inferer')) as { infer?: unknown };
    expect(inferer.infer).to.be.a('function');
  });

  it('suggests layer names for an unknown target, as the full default registry does', async () => {
    const dir = tmp.bundle({ 'configs/c.json': { t: { _target_: 'LoadImagedd' } } });
    const config = await loadFromArgv({ config_file: path.join(dir, 'configs/c.json') }, []);
    const error = await config.resolve('t').then(
      () => expect.fail('an unknown target must fail'),
      (e: BundleError) => e,
    );
    expect(error.kind).to.equal('unknown_target');
    expect(error.candidates).to.include('LoadImaged');
  });

  it('checks literal arguments of layer components in a config that also holds dicts', async () => {
    const dir = tmp.bundle({ 'configs/c.json': { d: { _target_: 'dict' }, s: { _target_: 'SimpleInferer', nope: 1 } } });
    const config = await loadFromArgv({ config_file: path.join(dir, 'configs/c.json') }, []);
    const problems = await config.check();
    expect(problems.map((p) => p.kind)).to.deep.equal(['invalid_arguments']);
  });

  it('bundle resolve of a config with only dicts loads no transform, image, inference, engine or app module', function () {
    this.timeout(30_000);
    const dir = tmp.bundle({ 'configs/c.json': { a: 1, d: { _target_: 'dict', x: '$@a + 1' } } });
    expect(layersLoadedByCli(['resolve', 'd', '--config_file', 'configs/c.json'], dir)).to.deep.equal([]);
  });

  it('bundle resolve loads the layers once the config names a layer component', function () {
    this.timeout(30_000);
    const dir = tmp.bundle({ 'configs/c.json': { d: { _target_: 'dict' }, s: { _target_: 'SimpleInferer' } } });
    expect(layersLoadedByCli(['resolve', 'd', '--config_file', 'configs/c.json'], dir)).to.include.members(['engine', 'inference', 'transforms']);
  });

  it('keeps the full default registry for callers that ask for it', () => {
    expect(defaultRegistry().has('Spacingd')).to.equal(true);
    expect(builtinRegistry().has('Spacingd')).to.equal(false);
  });
});
