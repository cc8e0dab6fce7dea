import { expect } from 'chai';
import { TmpDirs } from '../config/tmpBundle.js';
import { bundleCli } from './bundleCli.js';

describe('bundle explain (built CLI)', function () {
  this.timeout(60_000);
  const tmp = new TmpDirs();
  let dir: string;
  before(() => {
    dir = tmp.bundle({
      'configs/base.json': '{\n  "n": 1,\n  "m": "$@n + 1",\n  "use": ["@m"]\n}',
      'configs/over.json': '{\n  "n": 2\n}',
    });
  });
  after(() => tmp.cleanup());

  it('shows raw and resolved values, where it was set, what it overrode and references both ways', async () => {
    const r = await bundleCli(['explain', 'm', '--config_file', 'configs/base.json,configs/over.json', '--n', '5'], { cwd: dir });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('raw: "$@n + 1"').and.contain('resolved: 6');
    expect(r.stdout).to.match(/set at: .*base\.json:3:3/);
    expect(r.stdout).to.contain('references: n').and.contain('referenced by: use::0');
    const n = await bundleCli(['explain', 'n', '--config_file', 'configs/base.json,configs/over.json', '--n', '5'], { cwd: dir });
    expect(n.stdout).to.contain('set at: command-line argument --n 5');
    expect(n.stdout).to.match(/overrode: .*over\.json:2:3/);
    expect(n.stdout).to.match(/overrode: .*base\.json:2:3/);
  });

  it('still shows the item when resolving it fails, and exits non-zero', async () => {
    const r = await bundleCli(['explain', 'm', '--config_file', 'configs/base.json', '--n', 'text'], { cwd: dir });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.contain('raw: "$@n + 1"').and.contain('error[expression_error]');
  });

  it('fails with id_not_found for an unknown id', async () => {
    const r = await bundleCli(['explain', 'zz', '--config_file', 'configs/base.json'], { cwd: dir });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[id_not_found\]/);
  });
});
