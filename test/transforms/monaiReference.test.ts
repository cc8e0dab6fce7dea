/**
 * Stage-by-stage and end-to-end comparison of Spacingd, CropForegroundd, Orientationd and Invertd with
 * MONAI 1.5.0's own outputs (../shared/reference/monai, see its README for what was run and the
 * tolerances). Stage N is fed MONAI's stage N-1; the end-to-end runs feed our own outputs forward.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readNifti } from '../../src/image/nifti/read.js';
import { type Mat4, type Volume } from '../../src/image/Volume.js';
import { Compose } from '../../src/transforms/Compose.js';
import { CropForegroundd } from '../../src/transforms/crop/CropForegroundd.js';
import { Invertd } from '../../src/transforms/post/Invertd.js';
import { Orientationd } from '../../src/transforms/spatial/Orientationd.js';
import { Spacingd } from '../../src/transforms/spatial/Spacingd.js';
import type { Sample, Transform } from '../../src/transforms/Transform.js';
import { sharedPath } from '../helpers/shared.js';

interface Sidecar {
  shape: number[];
  affine: Mat4;
  sha256_float32_C_order: string;
  crop_box?: { start: number[]; end: number[] };
  applied_operations?: Array<{ class: string; orig_size: number[]; extra_info: Record<string, unknown> }>;
  stored: { file: string };
}

async function stage(ctx: Mocha.Context, variant: string, name: string): Promise<{ sidecar: Sidecar; volume: Volume }> {
  const json = sharedPath(ctx, 'reference', 'monai', variant, `${name}.json`);
  const sidecar = JSON.parse(readFileSync(json, 'utf8')) as Sidecar;
  const loaded = await readNifti(path.join(path.dirname(json), sidecar.stored.file));
  // the files are 3-D; MONAI's arrays carry the channel. The sidecar holds the exact float64 affine.
  const volume: Volume = { ...loaded, shape: sidecar.shape, affine: sidecar.affine, appliedOperations: [] };
  return { sidecar, volume };
}

function sha256(data: Volume['data']): string {
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  return createHash('sha256').update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)).digest('hex');
}

/** Shape and affine must match; values within `tolerance`, reporting max-abs and mean-abs on failure. */
function expectMatches(actual: Volume, expected: { sidecar: Sidecar; volume: Volume }, tolerance: number, what: string): void {
  expect(actual.shape, `${what}: shape`).to.deep.equal(expected.sidecar.shape);
  actual.affine.flat().forEach((v, i) => expect(v, `${what}: affine element ${i}`).to.be.closeTo(expected.sidecar.affine.flat()[i]!, 1e-9));
  let maxAbs = 0;
  let sumAbs = 0;
  let worst = -1;
  const a = actual.data;
  const e = expected.volume.data;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    sumAbs += d;
    if (!(d <= maxAbs)) {
      maxAbs = d;
      worst = i;
    }
  }
  const report = `${what}: max-abs ${maxAbs} (voxel ${worst}: ours ${a[worst]}, MONAI ${e[worst]}), mean-abs ${sumAbs / e.length}`;
  if (tolerance === 0) expect(sha256(actual.data), report).to.equal(expected.sidecar.sha256_float32_C_order);
  else expect(maxAbs, report).to.be.at.most(tolerance);
}

const spacing = (pixdim: number[]) => new Spacingd({ keys: 'image', pixdim, mode: 'bilinear' });
const crop = () => new CropForegroundd({ keys: 'image', sourceKey: 'image', margin: 10, allowSmaller: true });
const orient = () => new Orientationd({ keys: 'image', axcodes: 'RAS' });
/** 04_scale's ScaleIntensityRanged in float32 (bit-exact with MONAI per the README); not under test here */
const scale: Transform = {
  name: 'ScaleIntensityRanged (test stand-in)',
  apply(sample: Sample) {
    const v = sample.image as Volume;
    const aMin = Math.fround(-963.8247715525971);
    const range = Math.fround(1053.678477684517 - -963.8247715525971);
    const data = v.data.map((x) => Math.min(1, Math.max(0, Math.fround(Math.fround(x - aMin) / range))));
    return { ...sample, image: { ...v, data } };
  },
};

const run = async (t: Transform, volume: Volume, key = 'image') => ((await t.apply({ [key]: volume })) as Sample)[key] as Volume;

for (const [variant, pixdim] of [
  ['ct_sm', [1.5, 1.5, 1.5]],
  ['ct_sm/pixdim_keep', [-1, -1, -1]],
] as const) {
  describe(`transforms vs MONAI 1.5.0 reference (${variant})`, function () {
    this.timeout(120000);

    it('02 Spacingd: shape and affine exact, values within 1e-3 HU', async function () {
      const input = await stage(this, variant, '01_load');
      const expected = await stage(this, variant, '02_spacing');
      const out = await run(spacing([...pixdim]), input.volume);
      expect(out.dtype).to.equal('float32');
      expectMatches(out, expected, 1e-3, '02_spacing');
      expect(out.appliedOperations.map((o) => o.transform)).to.deep.equal(['Spacingd']);
    });

    it('03 CropForegroundd: the crop box exactly, then values equal', async function () {
      const input = await stage(this, variant, '02_spacing');
      const expected = await stage(this, variant, '03_crop');
      const sample = await crop().apply({ image: input.volume });
      expect(sample.foreground_start_coord).to.deep.equal(expected.sidecar.crop_box!.start);
      expect(sample.foreground_end_coord).to.deep.equal(expected.sidecar.crop_box!.end);
      expectMatches(sample.image as Volume, expected, 0, '03_crop');
    });

    it('05 Orientationd(RAS): identical values, shape and affine', async function () {
      const input = await stage(this, variant, '04_scale');
      const expected = await stage(this, variant, '05_orient');
      expectMatches(await run(orient(), input.volume), expected, 0, '05_orient');
    });

    it('01 -> 05 end to end: shapes and affines exact, values within 1e-3 (scaled units: far tighter)', async function () {
      const input = await stage(this, variant, '01_load');
      const expected = await stage(this, variant, '05_orient');
      const out = await run(new Compose([spacing([...pixdim]), crop(), scale, orient()]), input.volume);
      expectMatches(out, expected, 1e-6, '01->05');
      expect(out.appliedOperations.map((o) => o.transform)).to.deep.equal(['Spacingd', 'CropForegroundd', 'Orientationd']);
    });

    it('07 -> 08 Invertd (nearest): the prediction back on the original grid, identical', async function () {
      const load = await stage(this, variant, '01_load');
      const pred = await stage(this, variant, '07_pred');
      const expected = await stage(this, variant, '08_pred_inverted');
      const preprocessing = new Compose([spacing([...pixdim]), crop(), scale, orient()]);
      const image = await run(preprocessing, { ...load.volume, meta: { ...load.volume.meta, originalAffine: load.sidecar.affine } });
      const inverted = await new Invertd({ keys: 'pred', transform: preprocessing, origKeys: 'image', nearestInterp: true }).apply({
        image,
        pred: { ...pred.volume, affine: image.affine },
      });
      const out = inverted.pred as Volume;
      expectMatches(out, expected, 0, '08_pred_inverted');
      expect(out.affine).to.deep.equal(load.sidecar.affine);
      expect(out.appliedOperations).to.deep.equal([]);
      expect(out.meta.filename).to.equal(load.volume.meta.filename);
    });
  });
}
