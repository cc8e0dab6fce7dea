/**
 * The config/override half of the hostile-input suite (issues 13 and 15): every attack of the red team's
 * report on configs, macros, expressions and CLI values, plus fast-check generated configs, expressions,
 * YAML and override tokens (HOSTILE_CONFIG_CASES, default 500; HOSTILE_SEED, default 13), each run through
 * the built CLI by harness.ts. Required for every case: exit 0 or a typed error within 30 s and 2 GB, no
 * stack trace, no signal, nothing left behind. Prints the table. Build first: `npm run build`.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attackSpecs, generatedSpecs, materialize } from './hostile/configCases.js';
import { formatTable, isBad, runCases } from './hostile/harness.js';

const GENERATED = Number(process.env.HOSTILE_CONFIG_CASES ?? 500);
const SEED = Number(process.env.HOSTILE_SEED ?? 13);

describe('hostile input: configs, macros, expressions, CLI values', function () {
  this.timeout(60 * 60 * 1000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-config-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`every attack and ${GENERATED} generated cases end in success or a typed error, bounded, with nothing left behind`, async () => {
    const attacks = attackSpecs();
    const cases = materialize([...attacks, ...generatedSpecs(GENERATED, SEED)], dir);
    const t0 = Date.now();
    const results = await runCases(cases, {
      concurrency: 2,
      onResult: (_r, done) => done % 100 === 0 && console.log(`      ${done}/${cases.length} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s`),
    });
    const table = formatTable(results, `config/override corpus (seed ${SEED}), ${((Date.now() - t0) / 1000).toFixed(0)} s, load ${os.loadavg()[0]!.toFixed(1)}`);
    console.log(table);
    // the named attacks must all be refused, not merely survived
    const attackResults = results.slice(0, attacks.length);
    const accepted = attackResults.filter((r) => r.outcome === 'success').map((r) => r.name);
    expect(accepted, 'attacks that succeeded instead of failing with a typed error').to.deep.equal(EXPECTED_SUCCESSES);
    expect(results.filter(isBad).map((r) => `${r.name}: ${r.outcome} (${r.reason})`), table).to.deep.equal([]);
  });
});

/** Attacks whose right answer is a result: linear-time regexes find no match, bounded work that fits. */
const EXPECTED_SUCCESSES = [
  'catastrophic regex in $match',
  'catastrophic regex in $contains',
  'catastrophic regex in $replace',
  'catastrophic regex in $split',
  '$map building objects (depth leak)',
  '$formatNumber with a huge picture',
  '$spread of a large object',
  '$glob with a catastrophic pattern',
  '$glob through a symlink to /etc',
  'override with a huge value',
  'override with control characters',
];
