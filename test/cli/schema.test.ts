import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from '../helpers/shared.js';
import { TmpDirs } from '../config/tmpBundle.js';
import { bundleCli } from './bundleCli.js';

describe('bundle schema (built CLI)', function () {
  this.timeout(60_000);
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());

  it('writes the same schema as the committed schemas/bundle-config.schema.json', async () => {
    const out = path.join(tmp.bundle({}), 'schema.json');
    const r = await bundleCli(['schema', '--output', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(readFileSync(out, 'utf8')).to.equal(readFileSync(repoPath('schemas', 'bundle-config.schema.json'), 'utf8'));
  });

  it('creates a missing output folder', async () => {
    const out = path.join(tmp.bundle({}), 'new', 'folder', 'schema.json');
    const r = await bundleCli(['schema', '--output', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).to.have.property('$schema');
  });

  it('fails with write_failed when the output is a folder, leaving it as it was', async () => {
    const dir = tmp.bundle({});
    const r = await bundleCli(['schema', '--output', dir]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[write_failed\]/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });
});
