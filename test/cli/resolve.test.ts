import { expect } from 'chai';
import path from 'node:path';
import { TmpDirs } from '../config/tmpBundle.js';
import { repoPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

describe('bundle resolve (built CLI)', function () {
  this.timeout(60_000);
  const tmp = new TmpDirs();
  let dir: string;
  before(() => {
    dir = tmp.bundle({
      'configs/inference.json': {
        bundle_root: '.',
        n: 2,
        net: { _target_: 'dict', ch: '@n', l: [1, '$@n * 10'] },
        f: '$function($x){ $x }',
        s: 'plain',
      },
      'configs/extra.yaml': 'n: 3\n',
      'configs/metadata.json': { version: '0.1' },
      'configs/errors.json': '{\n "cyc_a": "@cyc_b", "cyc_b": "@cyc_a",\n "miss": "@network_def",\n "exprerr": "$1 + []",\n "syntax": "$1 +",\n "unknown": {"_target_": "LoadImagedd"},\n "badargs": {"_target_": "SimpleInferer", "nope": 1},\n "rel": "@##x",\n "mode": {"_target_": "dict", "_mode_": "partial"},\n "py": "$import os",\n "net": {"ch": 1},\n "wf": ["$$run(@net)"]\n}',
      'configs/macro.json': { n: 1, m: '%zz' },
      'configs/dup.json': '{"a": 1,\n "a": 2}',
      'configs/badkey.json': '{"a": {"b::c": 1}}',
      'configs/merge.json': '{"+net": [1]}',
      'configs/x.txt': '{}',
      'configs/empty.yaml': '',
      'configs/list.yaml': '- 1\n- 2\n',
    });
  });
  after(() => tmp.cleanup());

  const run = (...args: string[]) => bundleCli(args, { cwd: dir });

  it('prints the resolved value of an id as JSON', async () => {
    const r = await run('resolve', 'net', '--config_file', 'configs/inference.json');
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ ch: 2, l: [1, 20] });
  });

  it('prints the whole config, with _meta_, for the empty id, and describes non-JSON values', async () => {
    const r = await run('resolve', '', '--config_file', 'configs/inference.json');
    expect(r.code, r.stderr).to.equal(0);
    const v = JSON.parse(r.stdout);
    expect(v._meta_).to.deep.equal({ version: '0.1' });
    expect(v.f).to.deep.include({ $type: 'function' });
  });

  it('resolves a config whose root is no dict as it is (an empty YAML is null, a list stays a list), not key by key', async () => {
    for (const [file, expected] of [['empty.yaml', null], ['list.yaml', [1, 2]]] as const) {
      const r = await run('resolve', '', '--config_file', `configs/${file}`);
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal(expected);
    }
  });

  for (const configs of ['bundle/configs/inference.json', 'bundle/configs/inference.json,bundle/configs/batch_inference.json', 'examples/brain-meshnet/configs/inference.json']) {
    it(`resolves the root of a shipped bundle (${configs}) without running its workflow sections`, async () => {
      const files = configs.split(',').map((f) => repoPath(f)).join(',');
      // from the bundle's folder, as its docs say: its "bundle_root" is ".", and $glob may read only inside the bundle
      const cwd = path.dirname(path.dirname(repoPath(configs.split(',')[0]!)));
      const r = await bundleCli(['resolve', '', '--config_file', files], { cwd });
      expect(r.code, r.stderr).to.equal(0);
      const v = JSON.parse(r.stdout);
      expect(v.run).to.deep.equal(['$$run(@evaluator)']); // shown as written
      expect(v.network_def).to.be.an('object');
      expect(r.stderr).to.contain('note: run shown unresolved: it runs only in `bundle run`');
      const explained = await bundleCli(['explain', 'run', '--config_file', files], { cwd });
      expect(explained.code, explained.stderr).to.equal(0);
      expect(explained.stdout).to.contain('resolved: (not here: a workflow section runs only in `bundle run`)');
    });
  }

  it('merges a list of files in order and applies overrides in argv order, all forms', async () => {
    for (const files of ['configs/inference.json,configs/extra.yaml', "['configs/inference.json','configs/extra.yaml']"]) {
      const r = await run('resolve', 'net', '--config_file', files);
      expect(JSON.parse(r.stdout), r.stderr).to.deep.equal({ ch: 3, l: [1, 30] });
    }
    const r = await run('resolve', 'net', '--config_file', 'configs/inference.json', '--n', '5', '--net::l#0=None', '--+net::l', "['x']", '--n', '6');
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ ch: 6, l: [null, 60, 'x'] });
  });

  it('explains the override grammar in --help', async () => {
    const r = await run('resolve', '--help');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('--config_file').and.contain('True/False/None').and.contain('--ckpt None');
  });

  const kinds: Array<[string, string[], string]> = [
    ['circular_reference', ['cyc_a', '--config_file', 'configs/errors.json'], 'cyc_a -> cyc_b -> cyc_a'],
    ['missing_reference', ['miss', '--config_file', 'configs/errors.json'], 'errors.json:3'],
    ['id_not_found', ['nothing', '--config_file', 'configs/errors.json'], 'nothing'],
    ['expression_error', ['exprerr', '--config_file', 'configs/errors.json'], 'exprerr'],
    ['expression_syntax', ['syntax', '--config_file', 'configs/errors.json'], 'syntax'],
    ['unknown_target', ['unknown', '--config_file', 'configs/errors.json'], 'LoadImaged'],
    ['invalid_arguments', ['badargs', '--config_file', 'configs/errors.json'], '"nope"'],
    ['relative_out_of_range', ['rel', '--config_file', 'configs/errors.json'], 'rel'],
    ['invalid_mode', ['mode', '--config_file', 'configs/errors.json'], 'partial'],
    ['python_expression', ['py', '--config_file', 'configs/errors.json'], 'registry'],
    ['duplicate_key', ['a', '--config_file', 'configs/dup.json'], 'dup.json:2'],
    ['invalid_key', ['a', '--config_file', 'configs/badkey.json'], 'b::c'],
    ['merge_type_mismatch', ['net', '--config_file', 'configs/inference.json,configs/merge.json'], '+net'],
    ['not_a_container', ['s', '--config_file', 'configs/inference.json', '--s::x', '1'], '--s::x'],
    ['unknown_file_type', ['a', '--config_file', 'configs/x.txt'], 'x.txt'],
    ['config_file_not_found', ['a', '--config_file', 'configs/none.json'], 'none.json'],
    ['workflow_only', ['wf', '--config_file', 'configs/errors.json'], 'bundle run'],
    ['invalid_override', ['n', '--config_file', 'configs/inference.json', '--n'], '--n'],
  ];
  for (const [kind, args, detail] of kinds) {
    it(`exits non-zero with "error[${kind}]" first on stderr and where it happened`, async () => {
      const r = await run('resolve', ...args);
      expect(r.code).to.be.greaterThan(0);
      expect(r.stderr.split('\n')[0]).to.match(new RegExp(`^error\\[${kind}\\]: `));
      expect(r.stderr).to.contain(detail);
      expect(r.stderr).not.to.contain('    at ');
    });
  }

  it('reports a macro error from the macro expansion pass', async () => {
    const r = await run('resolve', 'n', '--config_file', path.join('configs', 'macro.json'));
    expect(r.stderr.split('\n')[0]).to.match(/^error\[macro_error\]/);
  });

  it('adds the stack trace only with --debug', async () => {
    const r = await run('resolve', 'exprerr', '--config_file', 'configs/errors.json', '--debug');
    expect(r.stderr).to.contain('    at ');
  });
});
