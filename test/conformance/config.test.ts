/**
 * The conformance cases (a copy of ../shared/conformance/config-cases.json, kept equal to it): each case's files
 * are written to a temporary bundle, loaded and resolved through the same calls the CLI makes.
 * `expect` is compared by deep equality, `expect_error` by kind.
 */
import { expect } from 'chai';
import { sharedPath } from '../helpers/shared.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRegistry } from '../../src/cli/registry.js';
import { loadConfig } from '../../src/config/index.js';
import { BundleError } from '../../src/errors/index.js';
import { writeFiles } from '../config/tmpBundle.js';

interface Case {
  name: string;
  about: string;
  files: Record<string, unknown>;
  config_file: string[];
  overrides?: Array<[string, unknown]>;
  query: string;
  expect?: unknown;
  expect_error?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const cases = JSON.parse(readFileSync(path.join(here, 'config-cases.json'), 'utf8')) as Case[];

/** Cases not run, with the reason (keep empty unless a case contradicts the spec). */
const SKIPS: Record<string, string> = {};

describe('conformance: config-cases.json', function () {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bundle-conformance-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('is the same as ../shared/conformance/config-cases.json (the truth; no case edited here)', function () {
    expect(JSON.parse(readFileSync(sharedPath(this, 'conformance', 'config-cases.json'), 'utf8'))).to.deep.equal(cases);
  });

  it('holds 196 cases with unique names', () => {
    expect(cases).to.have.length(196);
    expect(new Set(cases.map((c) => c.name)).size).to.equal(cases.length);
  });

  for (const [index, c] of cases.entries()) {
    const title = `${c.name}: ${c.about}`;
    if (SKIPS[c.name]) {
      it.skip(`${title} (skipped: ${SKIPS[c.name]})`);
      continue;
    }
    it(title, async () => {
      const dir = path.join(tmp, String(index));
      writeFiles(dir, c.files);
      let value: unknown;
      let error: unknown;
      try {
        const config = await loadConfig({
          configFiles: c.config_file.map((f) => path.join(dir, f)),
          overrides: (c.overrides ?? []).map(([id, v]) => ({ id, value: v })),
          // the spec's language (§4: the last key may be new); the CLI adds the typo check (README, `new:`)
          allowNewOverrideIds: true,
          registry: defaultRegistry(),
          debugSink: () => {},
        });
        value = await config.resolve(c.query);
      } catch (e) {
        error = e;
      }
      if (c.expect_error !== undefined) {
        expect(error, `expected error ${c.expect_error}, got value ${JSON.stringify(value)}`).to.be.instanceOf(BundleError);
        expect((error as BundleError).kind, (error as Error).message).to.equal(c.expect_error);
      } else {
        if (error) throw error;
        expect(value).to.deep.equal(c.expect);
      }
    });
  }
});
