import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BundleError, KINDS, printable, renderError } from '../../src/errors/index.js';
import { repoPath } from '../helpers/shared.js';

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testSources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(path.join(dir, e.name), 'utf8')] : [],
  );
}

/** kinds no test can provoke through the product, with the reason */
const UNTESTED_KINDS: Record<string, string> = {
  internal: 'printed by the CLI for a bug (an error that is not a BundleError); no input is meant to reach it',
};

describe('errors/kinds', () => {
  it('every kind has a layer, an exit code of 1, 2 or 3 and a non-empty hint', () => {
    for (const [kind, info] of Object.entries(KINDS)) {
      expect(info.hint, kind).to.be.a('string').and.not.equal('');
      expect([1, 2, 3], kind).to.include(info.exitCode);
    }
  });
});

describe('errors/kinds are exercised', () => {
  it('every kind appears in at least one test, apart from the listed exceptions', () => {
    const text = testSources(repoPath('test')).join('\n');
    const unused = Object.keys(KINDS).filter((kind) => !text.includes(kind) && !(kind in UNTESTED_KINDS));
    expect(unused).to.deep.equal([]);
  });
});

describe('errors/render', () => {
  it('prints error[kind], the location with id, and the hint', () => {
    const e = new BundleError('missing_reference', '@network_def::in_channels does not exist', {
      location: { id: 'inferer::sw_device', origin: { source: 'file', file: 'configs/inference.json', line: 41, column: 18 } },
      candidates: ['network_def::in_chans'],
    });
    const text = renderError(e);
    expect(text.split('\n')[0]).to.equal('error[missing_reference]: @network_def::in_channels does not exist');
    expect(text).to.contain('--> configs/inference.json:41:18 (id: inferer::sw_device)');
    expect(text).to.contain('closest: network_def::in_chans');
    expect(e.exitCode).to.equal(1);
  });

  it('names the file concerned when the location also has a config origin', () => {
    const e = new BundleError('image_not_found', 'the image file /data/x.nii.gz does not exist', {
      location: { id: 'preprocessing::0', origin: { source: 'file', file: 'configs/inference.json', line: 3 }, file: '/data/x.nii.gz' },
    });
    const lines = renderError(e).split('\n');
    expect(lines[1]).to.equal('  --> configs/inference.json:3 (id: preprocessing::0)');
    expect(lines[2]).to.equal('  file: /data/x.nii.gz');
  });

  it('prints a cycle as the whole chain', () => {
    const e = new BundleError('circular_reference', 'circular reference', { cycle: ['a', 'b', 'c', 'a'] });
    expect(renderError(e)).to.contain('cycle: a -> b -> c -> a');
  });
});

describe('errors/render: control characters (issue 15: a newline in a file name forged a log line)', () => {
  it('escapes control characters in the location and keeps every message line indented', () => {
    const file = '/data/x\nerror[forged]: fine\x1b[2K.nii.gz';
    const e = new BundleError('image_not_found', `the image file ${file} does not exist`, { location: { file } });
    const text = renderError(e);
    expect(text.split('\n').filter((l) => l.startsWith('error['))).to.have.length(1);
    expect(text).to.contain('  --> /data/x\\nerror[forged]: fine\\x1b[2K.nii.gz');
    expect(text).not.to.contain('\x1b');
    expect(printable('a\tb\u2028c\u0085')).to.equal('a\\tb\\u2028c\\x85');
  });
});
