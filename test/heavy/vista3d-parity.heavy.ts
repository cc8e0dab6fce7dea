/**
 * Our VISTA3D port against MONAI's own bundle code, case by case: the small VISTA3D of
 * test/fixtures/vista3d-small (the real VISTA3D classes with narrow widths, seeded) runs through
 * `node dist/cli/main.js run` with the shipped configs and only the network paths and the case's settings
 * overridden; MONAI's answers were made by tools/vista3d/make_parity_fixtures.py (the original model-zoo
 * configs and scripts through MONAI 1.5, see tools/vista3d/monai_reference.py).
 *
 * Required per case: the same label set, at least 99.99% of voxels equal, and every disagreeing voxel one where
 * MONAI's raw logits were within 1e-3 of changing the label (its decision margin, saved beside its answer).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readNifti } from '../../src/image/index.js';
import { BUNDLE, cleanup, runVista } from '../bundle/vistaRun.js';
import { repoPath } from '../helpers/shared.js';
import { compareLabelMaps, describeParity, PARITY_MARGIN, PARITY_MIN_EQUAL } from '../../tools/vista3d/parity.js';

const FIXTURES = repoPath('test', 'fixtures', 'vista3d-small');

interface ParityCase {
  name: string;
  input_dict: Record<string, unknown>;
  overrides?: Record<string, unknown>;
  prev_mask_from?: string;
  why?: string;
}

const cases = JSON.parse(readFileSync(path.join(FIXTURES, 'cases.json'), 'utf8')) as ParityCase[];

/** The small network in place of bundle/models, at the patch it was exported for. */
function smallNetwork(): string[] {
  const models = path.join(FIXTURES, 'models');
  return [
    ...['encoder', 'point_decoder', 'class_decoder', 'class_head', 'point_head'].flatMap((g) => [`--network_def#${g}#path`, path.join(models, `${g}.onnx`)]),
    '--patch_size',
    '[64,64,64]',
  ];
}

describe('VISTA3D port = MONAI bundle (small VISTA3D, sample CT)', function () {
  this.timeout(600_000);

  for (const c of cases) {
    it(`${c.name}: same labels, >= 99.99% voxels equal, disagreements only within ${PARITY_MARGIN} of MONAI's threshold`, async () => {
      const input: Record<string, unknown> = { ...c.input_dict, image: path.resolve(FIXTURES, c.input_dict.image as string) };
      const configs = ['inference.json'];
      const extra = smallNetwork();
      for (const [key, value] of Object.entries(c.overrides ?? {})) extra.push(`--${key}`, JSON.stringify(value));
      if (c.prev_mask_from) {
        input.prev_mask = path.join(FIXTURES, 'ref', c.name, 'prev_mask.nii.gz');
        // runVista names config files relative to bundle/configs
        configs.push(path.relative(path.join(BUNDLE, 'configs'), path.join(FIXTURES, 'prev_mask.json')));
      }
      const run = await runVista(input, extra, configs);
      try {
        expect(run.code, run.stderr).to.equal(0);
        expect(run.files).to.have.length(1);
        const ours = await readNifti(run.files[0]!);
        const ref = await readNifti(path.join(FIXTURES, 'ref', c.name, 'pred.nii.gz'));
        const margin = await readNifti(path.join(FIXTURES, 'ref', c.name, 'margin.nii.gz'));
        expect(ours.shape).to.deep.equal(ref.shape);
        const report = compareLabelMaps(ours.data, ref.data, margin.data);
        console.log(`      ${c.name}: ${describeParity(report)}`);
        expect(report.ourLabels, 'label set').to.deep.equal(report.refLabels);
        expect(1 - report.differ / report.total).to.be.at.least(PARITY_MIN_EQUAL);
        expect(report.farFromThreshold, 'disagreements where MONAI was not near its threshold').to.equal(0);
      } finally {
        cleanup(run);
      }
    });
  }
});
