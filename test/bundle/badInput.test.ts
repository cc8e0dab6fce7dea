/**
 * Bad input to the VISTA3D bundle, through the binary: every prompt validation rule (spec 1.2, with our
 * decisions), a missing image, a click outside the image and an image with nothing above the crop threshold.
 * Each gives exit code 1, one clear error on stderr and no output file.
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { writeNifti } from '../../src/image/index.js';
import { cleanup, FAST, runVista, SAMPLE, SPLEEN_VOXEL, tempDir, type VistaRun } from './vistaRun.js';

const S = SAMPLE;
const CASES: Array<{ name: string; input: unknown; error: RegExp; extra?: string[] }> = [
  { name: 'V1 no prompt and no everything labels', input: { image: S }, error: /Prompt must be given for inference\./, extra: ['--everything_labels', 'null'] },
  { name: 'V2 label_prompt not a list', input: { image: S, label_prompt: 25 }, error: /Label prompt must be a list, \[1,2,3,4,\.\.\.,\]\./ },
  { name: 'V3 nested label_prompt', input: { image: S, label_prompt: [[25, 26]] }, error: /Label prompt must be a list of single scalar/ },
  { name: 'V4 id 255', input: { image: S, label_prompt: [255] }, error: /only supports label prompt smaller than 255/ },
  { name: 'V5 unsupported id without clicks', input: { image: S, label_prompt: [16] }, error: /Undefined label prompt detected\. Provide point prompts for zero-shot\./ },
  { name: 'V5 zero-shot id without clicks', input: { image: S, label_prompt: [140] }, error: /Undefined label prompt detected/ },
  { name: 'V6 points without point_labels', input: { image: S, points: [SPLEEN_VOXEL] }, error: /Point labels must be given if points are given\./ },
  { name: 'V7 a two-dimensional point', input: { image: S, points: [[1, 2]], point_labels: [1] }, error: /Points must be three dimensional/ },
  { name: 'V8 points and labels of different lengths', input: { image: S, points: [SPLEEN_VOXEL, SPLEEN_VOXEL], point_labels: [1] }, error: /Points must match point labels\./ },
  { name: 'V9 click label 5', input: { image: S, points: [SPLEEN_VOXEL], point_labels: [5] }, error: /Point labels can only be -1,0,1 and 2,3 for special flags\./ },
  { name: 'V10 two objects with clicks', input: { image: S, label_prompt: [1, 3], points: [SPLEEN_VOXEL], point_labels: [1] }, error: /Label prompt can only be a single object if provided with point prompts\./ },
  { name: 'V11 point_labels without points', input: { image: S, label_prompt: [3], point_labels: [1] }, error: /Points must be given if point labels are given\./ },
  { name: 'decision: an empty label_prompt', input: { image: S, label_prompt: [] }, error: /Label prompt is empty\./ },
  { name: 'decision: id 0 with clicks', input: { image: S, label_prompt: [0], points: [SPLEEN_VOXEL], point_labels: [1] }, error: /Label prompt 0 is not a class id\./ },
  { name: 'decision: bone (21) with clicks names the subclass expansion', input: { image: S, label_prompt: [21], points: [SPLEEN_VOXEL], point_labels: [1] }, error: /21 \(bone\) stands for its 62 subclasses/ },
  { name: 'decision: a click outside the image', input: { image: S, points: [[122, 10, 10]], point_labels: [1] }, error: /Click \[122, 10, 10\] lies outside the image, whose shape is \[122, 101, 30\]\./ },
  { name: 'a missing image file', input: { image: '/nonexistent/scan.nii.gz', label_prompt: [3] }, error: /error\[image_not_found\]: .*does not exist/ },
];

describe('bundle/configs/inference.json: bad input', function () {
  this.timeout(120_000);
  let folder: string;
  let empty: string;
  const runs = new Map<string, Promise<VistaRun>>();
  /** Each case's run, started three at a time (each is a separate CLI process that fails early). */
  const runOf = (name: string, input: unknown, extra: string[]): Promise<VistaRun> => {
    if (!runs.has(name)) runs.set(name, runVista(input, [...FAST, ...extra]));
    return runs.get(name)!;
  };

  before(async () => {
    folder = tempDir('bad');
    empty = path.join(folder, 'all_air.nii.gz');
    const shape = [1, 20, 20, 10];
    const affine = [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];
    await writeNifti(empty, {
      data: new Int16Array(20 * 20 * 10).fill(-1000), dtype: 'int16', shape, affine,
      meta: { originalAffine: affine, originalSpatialShape: shape.slice(1) }, appliedOperations: [],
    });
    for (let i = 0; i < CASES.length; i += 3) {
      await Promise.all(CASES.slice(i, i + 3).map((c) => runOf(c.name, c.input, c.extra ?? []).catch(() => undefined)));
    }
  });
  after(async () => {
    for (const run of runs.values()) cleanup(await run);
    rmSync(folder, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.name}: one error, exit 1, no output`, async () => {
      const run = await runOf(c.name, c.input, c.extra ?? []);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.match(c.error);
      expect(run.stderr.match(/^error\[/gm), run.stderr).to.have.length(1);
      expect(run.files).to.deep.equal([]);
    });
  }

  it('an image with nothing above 0 HU: a clear error naming the empty crop, no output', async () => {
    const run = await runVista({ image: empty, label_prompt: [3] }, FAST);
    try {
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.match(/empty|foreground/i);
      expect(run.stderr.match(/^error\[/gm)).to.have.length(1);
      expect(run.files).to.deep.equal([]);
    } finally {
      cleanup(run);
    }
  });
});
