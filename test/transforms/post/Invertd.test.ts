import { expect } from 'chai';
import fc from 'fast-check';
import { axcodesToOrnt } from '../../../src/image/orientation.js';
import type { Mat4, Volume } from '../../../src/image/Volume.js';
import { Compose } from '../../../src/transforms/Compose.js';
import { CropForegroundd } from '../../../src/transforms/crop/CropForegroundd.js';
import { invertdEntry, Invertd } from '../../../src/transforms/post/Invertd.js';
import { Orientationd } from '../../../src/transforms/spatial/Orientationd.js';
import { Spacingd } from '../../../src/transforms/spatial/Spacingd.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { makeVolume, rejection, thrown } from '../volumes.js';

const context = { id: 'postprocessing::transforms::2', bundleRoot: '/b', logger: silentLogger };
/** LPS, anisotropic */
const affine: Mat4 = [
  [-0.8, 0, 0, 40],
  [0, -0.8, 0, 30],
  [0, 0, 2.5, -20],
  [0, 0, 0, 1],
];

/** a 10 x 9 x 4 label volume: 0 outside, labels 1..3 in a block */
function labels(): Volume {
  const values: number[] = [];
  for (let a = 0; a < 10; a++) for (let b = 0; b < 9; b++) for (let c = 0; c < 4; c++) values.push(a >= 2 && a <= 7 && b >= 3 && b <= 6 && c >= 1 ? 1 + ((a + b + c) % 3) : 0);
  const v = makeVolume(values, [1, 10, 9, 4], 'uint8');
  return { ...v, affine, meta: { ...v.meta, originalAffine: affine, filename: '/data/case7.nii.gz' } };
}

const preprocessing = (mode: 'nearest' | 'bilinear' = 'nearest', pixdim = [0.4, 0.4, 1.25]) =>
  new Compose([
    new Spacingd({ keys: 'image', pixdim, mode }),
    new CropForegroundd({ keys: 'image', sourceKey: 'image', margin: 1 }),
    new Orientationd({ keys: 'image', axcodes: 'RAS' }),
  ]);

describe('Invertd', () => {
  it('maps a prediction in network space back to the original grid: shape, affine and labels identical', async () => {
    const pre = preprocessing('nearest', [0.3, 0.3, 1]);
    const sample = await pre.apply({ image: labels() });
    const image = sample.image as Volume;
    expect(image.affine[0]![0]).to.equal(0.3); // RAS now
    const pred: Volume = { ...image, appliedOperations: [], meta: { originalAffine: image.affine, originalSpatialShape: [], labelNames: { '1': 'tumour' } } };
    const out = (await (invertdEntry.create({ keys: 'pred', transform: pre, orig_keys: 'image' } as never, context) as Invertd).apply({ ...sample, pred })).pred as Volume;
    const original = labels();
    expect(out.meta.labelNames).to.deep.equal({ '1': 'tumour' }); // the prediction's own meta survives under the image's
    expect(out.shape).to.deep.equal(original.shape);
    expect(out.affine).to.deep.equal(affine);
    expect([...out.data]).to.deep.equal([...original.data]);
    expect(out.meta.filename).to.equal('/data/case7.nii.gz');
    expect(out.appliedOperations).to.deep.equal([]);
    expect((sample.image as Volume).appliedOperations).to.have.length(3); // the image itself is untouched
  });

  it('inverts a multi-channel prediction channel by channel', async () => {
    const pre = preprocessing();
    const sample = await pre.apply({ image: labels() });
    const image = sample.image as Volume;
    const n = image.data.length;
    const data = new Float32Array(2 * n);
    data.set(image.data);
    data.set(image.data.map((v) => (v === 0 ? 1 : 0)), n);
    const pred: Volume = { ...image, data, dtype: 'float32', shape: [2, ...image.shape.slice(1)], appliedOperations: [] };
    const out = (await new Invertd({ keys: 'pred', transform: pre, origKeys: 'image' }).apply({ ...sample, pred })).pred as Volume;
    expect(out.shape).to.deep.equal([2, 10, 9, 4]);
    const original = labels().data;
    // channel 1 is 1 where the label is 0 inside the crop box, and 0 (padding) outside it
    expect([...out.data.slice(0, original.length)]).to.deep.equal([...original]);
  });

  it('with nearest_interp=false uses the recorded bilinear mode (values between labels appear)', async () => {
    const pre = preprocessing('bilinear', [0.3, 0.3, 1]);
    const sample = await pre.apply({ image: labels() });
    const image = sample.image as Volume;
    const pred: Volume = { ...image, data: image.data.map((v) => (v > 1.5 ? 1 : 0)), appliedOperations: [] };
    const nearest = (await new Invertd({ keys: 'pred', transform: pre, origKeys: 'image' }).apply({ ...sample, pred })).pred as Volume;
    const smooth = (await new Invertd({ keys: 'pred', transform: pre, origKeys: 'image', nearestInterp: false }).apply({ ...sample, pred })).pred as Volume;
    expect([...nearest.data].every((v) => v === 0 || v === 1)).to.equal(true);
    expect([...smooth.data].some((v) => v > 0 && v < 1)).to.equal(true);
  });

  it('raises not_invertible when the original item is missing and invalid_data when the grids differ', async () => {
    const pre = preprocessing();
    const sample = await pre.apply({ image: labels() });
    const t = new Invertd({ keys: 'pred', transform: pre, origKeys: 'image' });
    expect((await rejection(t.apply({ pred: sample.image }))).kind).to.equal('not_invertible');
    expect((await rejection(t.apply({ ...sample, pred: makeVolume([1, 2, 3]) }))).kind).to.equal('invalid_data');
  });

  it('raises not_invertible when the recorded operations do not match the transform', async () => {
    const sample = await preprocessing().apply({ image: labels() });
    const other = new Compose([new Orientationd({ keys: 'image', axcodes: 'RAS' }), new Spacingd({ keys: 'image', pixdim: [1] })]);
    const e = await rejection(new Invertd({ keys: 'pred', transform: other, origKeys: 'image' }).apply({ ...sample, pred: sample.image }));
    expect(e.kind).to.equal('not_invertible');
    expect(e.message).to.contain('CropForegroundd');
  });

  it('rejects post_func and a transform that is not one', () => {
    expect(thrown(() => (invertdEntry.create({ keys: 'pred', transform: preprocessing(), post_func: 'x' } as never, context) as Invertd)).location.path).to.equal('/post_func');
    expect(thrown(() => (invertdEntry.create({ keys: 'pred', transform: { a: 1 } } as never, context) as Invertd)).location.path).to.equal('/transform');
  });

  it('round-trips any label volume, orientation and finer spacing exactly (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('RAS', 'LPS', 'LAS', 'PIR', 'SRA'),
        fc.tuple(fc.double({ min: 0.5, max: 3, noNaN: true }), fc.double({ min: 0.5, max: 3, noNaN: true }), fc.double({ min: 0.5, max: 3, noNaN: true })),
        fc.tuple(fc.double({ min: 1.01, max: 2.5, noNaN: true }), fc.double({ min: 1.01, max: 2.5, noNaN: true }), fc.double({ min: 1.01, max: 2.5, noNaN: true })),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 5 * 4 * 3, maxLength: 5 * 4 * 3 }),
        async (codes, spacing, ratio, values) => {
          const grid: Mat4 = [[0, 0, 0, 12.5], [0, 0, 0, -7.25], [0, 0, 0, 3], [0, 0, 0, 1]];
          axcodesToOrnt(codes).forEach(([axis, flip], i) => (grid[axis]![i] = flip * spacing[i]!));
          if (!values.some((v) => v > 0)) values[7] = 2;
          const v = { ...makeVolume(values, [1, 5, 4, 3], 'uint8'), affine: grid };
          const pre = new Compose([
            new Spacingd({ keys: 'image', pixdim: spacing.map((s, i) => s / ratio[i]!), mode: 'nearest' }),
            new CropForegroundd({ keys: 'image', sourceKey: 'image', margin: 1 }),
            new Orientationd({ keys: 'image', axcodes: 'RAS' }),
          ]);
          const sample = await pre.apply({ image: v });
          const pred = { ...(sample.image as Volume), appliedOperations: [] };
          const out = (await new Invertd({ keys: 'pred', transform: pre, origKeys: 'image' }).apply({ ...sample, pred })).pred as Volume;
          expect(out.shape).to.deep.equal(v.shape);
          expect(out.affine).to.deep.equal(grid);
          expect([...out.data]).to.deep.equal(values);
        },
      ),
      { numRuns: 60 },
    );
  });
});
