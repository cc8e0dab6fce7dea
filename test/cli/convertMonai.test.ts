/** `bundle convert` from the command line: the summary, the export command and the exit codes. */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers/shared.js';
import { bundleCli } from './bundleCli.js';

const zoo = (name: string) => repoPath('test', 'fixtures', 'zoo', name);

describe('cli: bundle convert', function () {
  this.timeout(60_000);
  let work: string;
  beforeEach(() => (work = mkdtempSync(path.join(tmpdir(), 'convert-cli-'))));
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('exits 0 for a bundle it translates completely and prints the export command', async () => {
    const out = path.join(work, 'spleen');
    const r = await bundleCli(['convert', zoo('spleen_ct_segmentation'), out, '--check']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/1 config converted \(inference\.json\), 8 items dropped or replaced, 0 not translated/);
    expect(r.stdout).to.include(`tools/monai/export_network.py ${zoo('spleen_ct_segmentation')} --weights`);
    expect(r.stdout).to.include('check configs/inference.json: ok');
    expect(r.stdout).to.include('verify_net_in_out: not run');
  });

  it('exits 1 with conversion_incomplete when something is not translated, 0 with --allow-partial', async () => {
    const bundle = path.join(work, 'lambda_bundle');
    mkdirSync(path.join(bundle, 'configs'), { recursive: true });
    writeFileSync(path.join(bundle, 'configs', 'inference.yaml'), 'bundle_root: .\nscale: 2\nlabel_map: "$lambda x: x * @scale"\n');
    const partial = await bundleCli(['convert', bundle, path.join(work, 'a')]);
    expect(partial.code).to.equal(1);
    expect(partial.stderr).to.include('error[conversion_incomplete]');
    expect(partial.stderr).to.include(path.join(work, 'a', 'CONVERSION.md'));
    expect(partial.stdout).to.include('not translated: configs/inference.yaml:3 label_map');
    const allowed = await bundleCli(['convert', bundle, path.join(work, 'b'), '--allow-partial']);
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect(existsSync(path.join(work, 'b', 'CONVERSION.md'))).to.equal(true);
  });

  it('runs the export with --python and reports its failure, keeping the converted configs', async () => {
    const out = path.join(work, 'spleen');
    const r = await bundleCli(['convert', zoo('spleen_ct_segmentation'), out, '--python', '/bin/false']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/exporting the network: \/bin\/false \S+export_network\.py/);
    expect(r.stderr).to.include('error[runtime_error]: The network export failed (exit code 1)');
    expect(existsSync(path.join(out, 'configs', 'inference.json'))).to.equal(true);
  });

  it('exits 2 for a folder that is not a bundle', async () => {
    const r = await bundleCli(['convert', work, path.join(work, 'out')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('error[config_file_not_found]');
    expect(existsSync(path.join(work, 'out'))).to.equal(false);
  });
});
