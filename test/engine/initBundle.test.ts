import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BundleError } from '../../src/errors/index.js';
import { initBundle } from '../../src/engine/initBundle.js';
import { verifyMetadata } from '../../src/engine/metadata.js';
import { checkProperties } from '../../src/engine/properties.js';
import { rawConfig } from './fakes.js';

describe('initBundle', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'init-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('scaffolds configs, docs and models with an inference workflow and valid metadata', () => {
    const root = path.join(dir, 'spleen_ct');
    const files = initBundle(root);
    expect(files.map((f) => path.relative(root, f))).to.deep.equal(['configs/inference.json', 'configs/metadata.json', 'docs/README.md']);
    expect(readdirSync(root).sort()).to.deep.equal(['configs', 'docs', 'models']);
    const config = JSON.parse(readFileSync(path.join(root, 'configs/inference.json'), 'utf8'));
    expect(() => checkProperties(rawConfig(config))).not.to.throw();
    expect(config.run).to.deep.equal(['$$run(@evaluator)']);
    const meta = JSON.parse(readFileSync(path.join(root, 'configs/metadata.json'), 'utf8'));
    expect(meta.name).to.equal('spleen_ct');
    expect(() => verifyMetadata(meta)).not.to.throw();
  });

  it('refuses a folder that is not empty, and leaves it as it was', () => {
    mkdirSync(path.join(dir, 'configs'));
    writeFileSync(path.join(dir, 'configs', 'inference.json'), '{"mine": 1}');
    expect(() => initBundle(dir)).to.throw(BundleError, /not empty/);
    expect(readFileSync(path.join(dir, 'configs', 'inference.json'), 'utf8')).to.equal('{"mine": 1}');
    expect(existsSync(path.join(dir, 'docs'))).to.equal(false);
  });

  it('fills an existing empty folder', () => {
    initBundle(dir);
    expect(existsSync(path.join(dir, 'configs', 'metadata.json'))).to.equal(true);
  });
});
