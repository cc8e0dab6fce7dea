/**
 * The NIfTI half of the hostile-input suite (issue 13): every file of the mutation corpus (niftiCorpus.ts,
 * about 390 files) through the real CLI, `bundle run` on the threshold test bundle, plus the worst of them
 * through the shipped VISTA3D bundle. Required for every case: exit 0 or a typed error within 30 s and 2 GB,
 * no stack trace, no signal, nothing partial or temporary left (the harness decides). Prints the table.
 * Needs a built CLI (`npm run build`); run with `npm run test:heavy`.
 */
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { makeThresholdBundle } from '../engine/bundleFixture.js';
import { repoPath } from '../helpers/shared.js';
import { NiftiEditor, niftiBytes, OFFSET } from '../security/niftiBytes.js';
import { formatTable, type HostileCase, isBad, runCases } from './hostile/harness.js';
import { niftiCorpus } from './hostile/niftiCorpus.js';

/** The sample CT at full size, edited as the red team did, for the VISTA3D runs. */
function vistaCorpus(): Array<{ name: string; bytes: Uint8Array; ext: string }> {
  const ct = niftiBytes(repoPath('bundle', 'sample', 'totalseg_example_ct_sm.nii.gz'));
  const e = () => new NiftiEditor(ct);
  const sform24 = e();
  // sform and pixdim both: with the sform alone, MONAI's header correction takes the qform (3 mm) back
  for (const [r, row] of [OFFSET.srowX, OFFSET.srowY, OFFSET.srowZ].entries()) sform24.setFloat(row + 4 * r, Math.sign(ct.readFloatLE(row + 4 * r)) * 24).setPixdim(r + 1, 24);
  return [
    { name: 'vista-spacing-24mm-sform', bytes: gzipSync(sform24.bytes), ext: '.nii.gz' },
    { name: 'vista-spacing-24mm-pixdim', bytes: gzipSync(e().setCodes(0, 0).setPixdim(1, 24).setPixdim(2, 24).setPixdim(3, 24).bytes), ext: '.nii.gz' },
    { name: 'vista-pixdim-3.4e38-codes-0', bytes: gzipSync(e().setCodes(0, 0).setPixdim(1, 3.4e38).bytes), ext: '.nii.gz' },
    { name: 'vista-gzip-bomb-2048x2048x1024', bytes: gzipSync(Buffer.concat([e().setDims([2048, 2048, 1024]).headerOnly(), Buffer.alloc(8 << 20)])), ext: '.nii.gz' },
    // (a NaN/inf sform alone is not refused: MONAI's header correction takes the qform, which matches the zooms)
    { name: 'vista-srow-nan-pixdim-nan', bytes: gzipSync(e().setFloat(OFFSET.srowX, Number.NaN).setPixdim(1, Number.NaN).bytes), ext: '.nii.gz' },
    { name: 'vista-voxoffset-1e9', bytes: gzipSync(e().setFloat(OFFSET.voxOffset, 1e9).bytes), ext: '.nii.gz' },
    { name: 'vista-truncated', bytes: gzipSync(ct.subarray(0, ct.byteLength >> 1)), ext: '.nii.gz' },
    { name: 'vista-datatype-complex64', bytes: gzipSync(e().setInt16(OFFSET.datatype, 32).setInt16(OFFSET.bitpix, 64).bytes), ext: '.nii.gz' },
  ];
}

describe('hostile input: NIfTI mutation corpus through the CLI', function () {
  this.timeout(40 * 60_000);
  let root: string;
  before(async () => {
    root = await makeThresholdBundle();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('every mutated file ends in exit 0 or a typed error, within 30 s and 2 GB, with nothing left behind', async () => {
    // HOSTILE_CASES=<regex> runs only the matching cases (e.g. "^vista-" to check the VISTA3D ones)
    const only = process.env.HOSTILE_CASES ? new RegExp(process.env.HOSTILE_CASES) : null;
    const corpus = niftiCorpus().filter((f) => !only || only.test(`threshold ${f.name}`));
    if (!only) expect(corpus.length).to.be.at.least(300);
    const folder = path.join(root, 'corpus');
    mkdirSync(folder, { recursive: true });
    const cases: HostileCase[] = corpus.map((file, k) => {
      const input = path.join(folder, `${String(k).padStart(3, '0')}${file.ext}`);
      writeFileSync(input, file.bytes);
      const outputDir = path.join(root, 'out', String(k));
      return {
        name: `threshold ${file.name}`,
        args: ['run', '--config_file', 'configs/inference.json', '--input_dict', JSON.stringify({ image: input }), '--output_dir', outputDir, '--quiet'],
        cwd: root,
        outputDir,
      };
    });
    for (const [k, file] of vistaCorpus().entries()) {
      if (only && !only.test(file.name)) continue;
      const input = path.join(folder, `vista-${k}${file.ext}`);
      writeFileSync(input, file.bytes);
      const outputDir = path.join(root, 'out', `vista-${k}`);
      // no --config_file: the shipped VISTA3D bundle, label prompt [3] (only the image is replaced)
      cases.push({ name: file.name, args: ['run', '--input_dict::image', input, '--output_dir', outputDir, '--quiet'], cwd: root, outputDir });
    }
    const t0 = Date.now();
    const results = await runCases(cases, {
      concurrency: 2,
      onResult: (r, done) => {
        if (isBad(r)) process.stdout.write(`      BAD ${r.name}: ${r.outcome} (${r.reason}) ${r.leftovers.join(', ')}\n`);
        else if (done % 50 === 0) process.stdout.write(`      ${done}/${cases.length} cases\n`);
      },
    });
    const table = formatTable(results, `NIfTI mutation corpus: ${cases.length} cases in ${Math.round((Date.now() - t0) / 1000)} s`);
    process.stdout.write(`${table}\n`);
    const vista = results.filter((r) => r.name.startsWith('vista-'));
    expect(vista.filter((r) => r.outcome !== 'typed_error').map((r) => `${r.name}: ${r.reason}`), 'every VISTA3D case is refused').to.deep.equal([]);
    expect(results.filter(isBad).map((r) => `${r.name}: ${r.outcome} (${r.reason}) ${r.leftovers.join(', ')}`)).to.deep.equal([]);
  });
});
