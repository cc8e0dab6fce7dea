/**
 * Spacingd against MONAI 1.5 on torch 1.13 (test/fixtures/monai/Spacingd.json), bit for bit: on int16 volumes
 * with zeros between opposite-sign voxels the float64 round-off of the sampling grid decides whether a
 * sample is exactly 0, and NormalizeIntensityd(nonzero) after it then treats the voxel as background or not
 * (what made wholeBody_ct_segmentation differ from MONAI on 2% of its voxels). Also torch.linspace, the start
 * of that grid.
 */
import { expect } from 'chai';
import type { Mat4, Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { normalizeIntensitydEntry } from '../../../src/transforms/intensity/NormalizeIntensityd.js';
import { spacingdEntry } from '../../../src/transforms/spatial/Spacingd.js';
import { linspace } from '../../../src/transforms/spatial/torchGrid.js';
import type { Transform } from '../../../src/transforms/Transform.js';
import { expectArray, monaiCases, volumeOf, type MonaiArray } from '../../helpers/monaiCases.js';

const context = { id: 'preprocessing::transforms::4', bundleRoot: '/', logger: silentLogger };

describe('Spacingd against MONAI 1.5 / torch 1.13, bit for bit (test/fixtures/monai/Spacingd.json)', () => {
  for (const c of monaiCases('Spacingd')) {
    it(`${c.name}: ${JSON.stringify(c.args)}, and NormalizeIntensityd(nonzero) after it`, async () => {
      const input = c.input as { image: MonaiArray; affine: Mat4 };
      const output = c.output as { image: MonaiArray; affine: Mat4; normalized_nonzero: MonaiArray };
      const spacing = (await spacingdEntry.create(c.args as never, context)) as Transform;
      const spaced = (await spacing.apply({ image: { ...volumeOf(input.image), affine: input.affine } })).image as Volume;
      // the output affine is computed in another order than MONAI's: equal to 1e-12, not to the bit
      spaced.affine.forEach((row, i) => row.forEach((v, j) => expect(v, `affine[${i}][${j}]`).to.be.closeTo(output.affine[i]![j]!, 1e-12)));
      expectArray(spaced, output.image, 0, 'Spacingd');
      const exactZeros = output.image.data.filter((v) => v === 0).length;
      expect(spaced.data.filter((v) => v === 0).length, 'voxels exactly 0').to.equal(exactZeros);
      const normalize = (await normalizeIntensitydEntry.create({ keys: 'image', nonzero: true } as never, context)) as Transform;
      const normalized = (await normalize.apply({ image: spaced })).image as Volume;
      // same background voxels; the values to float32 round-off (torch sums the mean and std in another order)
      const background = (data: ArrayLike<number>) => Array.from(data, (v, i) => (v === 0 ? i : -1)).filter((i) => i >= 0);
      expect(background(normalized.data)).to.deep.equal(background(output.normalized_nonzero.data));
      expectArray(normalized, output.normalized_nonzero, 1e-6, 'NormalizeIntensityd(nonzero)');
    });
  }

  it('torch.linspace(-1, 1, n) in float64, value for value', () => {
    const [c] = monaiCases('torch_linspace');
    for (const [n, values] of Object.entries(c!.output as Record<string, number[]>)) {
      expect(Array.from(linspace(Number(n))), `n = ${n}`).to.deep.equal(values);
    }
  });
});
