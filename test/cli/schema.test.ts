import { expect } from 'chai';
import { readFileSync } from 'node:fs';
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

  it('fails with write_failed when the output folder does not exist, leaving nothing behind', async () => {
    const r = await bundleCli(['schema', '--output', '/nonexistent-folder/schema.json']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[write_failed\]/);
  });
});
