import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { BAD, FIXTURE_DIR, fileBytes, GOOD } from '../../fixtures/image/make.js';

/** Compressed files are compared by content: another zlib build may compress the same bytes differently. */
function content(bytes: Uint8Array): Buffer {
  try {
    return gunzipSync(bytes);
  } catch {
    return Buffer.from(bytes);
  }
}

describe('image fixtures', () => {
  it('are what test/fixtures/image/make.ts generates (rerun it after editing its tables)', () => {
    const expected = [
      ...GOOD.map((spec) => [spec.file, fileBytes(spec)] as const),
      ...BAD.map((bad) => [bad.file, bad.bytes ? bad.bytes() : fileBytes({ ...bad.spec!, file: bad.file })] as const),
    ];
    const stale = expected.filter(([file, bytes]) => !content(readFileSync(path.join(FIXTURE_DIR, file))).equals(content(bytes))).map(([file]) => file);
    expect(stale, 'stale fixtures').to.deep.equal([]);
  });
});
