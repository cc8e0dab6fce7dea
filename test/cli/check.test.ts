import { expect } from 'chai';
import { TmpDirs } from '../config/tmpBundle.js';
import { bundleCli } from './bundleCli.js';

describe('bundle check (built CLI)', function () {
  this.timeout(60_000);
  const tmp = new TmpDirs();
  let dir: string;
  before(() => {
    dir = tmp.bundle({
      'configs/good.json': { n: 1, d: { _target_: 'dict', k: '@n' }, e: '$@n + 1' },
      'configs/bad.json': '{\n "a": "@nope",\n "b": {"_target_": "Dictt"},\n "c": "$1 +",\n "d": {"_target_": "SimpleInferer", "bad": 1}\n}',
    });
  });
  after(() => tmp.cleanup());

  it('says ok for a sound config', async () => {
    const r = await bundleCli(['check', '--config_file', 'configs/good.json'], { cwd: dir });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^ok: \d+ ids checked/);
  });

  it('reports every problem at once, each in the error shape, and exits 1', async () => {
    const r = await bundleCli(['check', '--config_file', 'configs/bad.json'], { cwd: dir });
    expect(r.code).to.equal(1);
    const firstLines = r.stderr.split('\n').filter((l) => l.startsWith('error['));
    expect(firstLines.map((l) => /^error\[(\w+)\]/.exec(l)![1])).to.deep.equal(['missing_reference', 'unknown_target', 'expression_syntax', 'invalid_arguments']);
    expect(r.stderr).to.contain('bad.json:2').and.contain('4 problems');
  });

  it('reports the problems as JSON with --json', async () => {
    const r = await bundleCli(['check', '--config_file', 'configs/bad.json', '--json'], { cwd: dir });
    const errors = JSON.parse(r.stderr) as Array<{ kind: string; location: { id: string } }>;
    expect(errors.map((e) => e.location.id)).to.deep.equal(['a', 'b', 'c', 'd']);
  });
});
