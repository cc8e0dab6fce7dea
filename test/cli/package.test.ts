import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoPath } from '../helpers/shared.js';

/**
 * What `npm pack` would publish (and `npm install -g .` installs): the `bundle` command, the shipped bundles,
 * the schemas; no sources, tests or local outputs. Scripts are skipped: dist/ is built by `npm ci` already.
 */
describe('package metadata (npm pack --dry-run)', function () {
  this.timeout(120_000);

  it('names the bundle command, Node and npm needs, and ships dist, the bundles and the schemas only', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoPath(), encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).not.to.match(/npm warn/i);
    const [pack] = JSON.parse(r.stdout) as Array<{ name: string; files: Array<{ path: string }> }>;
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
    expect(pack!.name).to.equal(pkg.name);
    expect(pkg.bin).to.deep.equal({ bundle: 'dist/cli/main.js' });
    expect(pkg.engines.node).to.match(/^>=20/);
    expect(pkg.license).to.equal('Apache-2.0');
    // onnxruntime-node's postinstall (a CUDA download from outside the npm registry) stays denied
    expect(pkg.allowScripts['onnxruntime-node']).to.equal(false);
    const files = pack!.files.map((f) => f.path);
    for (const needed of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'bundle/configs/inference.json', 'schemas/monai_meta_schema_20240725.json', 'README.md']) {
      expect(files, needed).to.include(needed);
    }
    expect(files.some((f) => f.startsWith('bundle/models/') && f.endsWith('.onnx'))).to.equal(true);
    expect(files.some((f) => f.startsWith('examples/brain-meshnet/models/') && f.endsWith('.onnx'))).to.equal(true);
    expect(files.filter((f) => /^(src|test|bench|tools|node_modules)\//.test(f) || /(^|\/)eval\//.test(f))).to.deep.equal([]);
    expect(readFileSync(repoPath('dist', 'cli', 'main.js'), 'utf8').startsWith('#!/usr/bin/env node')).to.equal(true);
  });
});
