import { expect } from 'chai';
import type { Mat4, Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { Resized, resizedEntry, resizedShape } from '../../../src/transforms/spatial/Resized.js';
import { erf, gaussianKernel } from '../../../src/transforms/spatial/resize.js';
import { expectArray, monaiCases, volumeOf, type MonaiArray } from '../../helpers/monaiCases.js';
import { makeVolume, thrown, valuesOf } from '../volumes.js';

const context = { id: 'preprocessing::transforms::3', bundleRoot: '/', logger: silentLogger };

describe('Resized', () => {
  it('computes MONAI\'s output shapes: -1 keeps an axis, longest scales with round-half-even', () => {
    expect(resizedShape([9, 6, 5], [4, -1, 8], 'all')).to.deep.equal([4, 6, 8]);
    expect(resizedShape([9, 6, 5], 4, 'longest')).to.deep.equal([4, 3, 2]); // 6*4/9 = 2.67, 5*4/9 = 2.22
    expect(resizedShape([8, 6, 2], 4, 'longest')).to.deep.equal([4, 3, 1]); // 2*0.5 = 1
  });

  it('averages boxes with area, its default', async () => {
    const out = await new Resized({ keys: 'image', spatialSize: [2, 1, 1] }).apply({ image: makeVolume([1, 3, 5, 7], [1, 4, 1, 1]) });
    expect(valuesOf(out.image)).to.deep.equal([2, 6]);
  });

  it('resizes a 2-D image (last axis 1) with two sizes, and inverts back to the shape and affine', async () => {
    const t = new Resized({ keys: 'image', spatialSize: [2, 2], mode: 'nearest' });
    const image = makeVolume([...Array(16).keys()], [1, 4, 4, 1]);
    const out = (await t.apply({ image })).image as Volume;
    expect(out.shape).to.deep.equal([1, 2, 2, 1]);
    expect(valuesOf(out)).to.deep.equal([0, 2, 8, 10]);
    const back = t.inverse({ image: out }).image as Volume;
    expect(back.shape).to.deep.equal([1, 4, 4, 1]);
    expect(back.affine).to.deep.equal(image.affine);
    expect(back.appliedOperations).to.deep.equal([]);
  });

  it('rejects bicubic, and longest without one int', () => {
    expect(thrown(() => new Resized({ keys: 'image', spatialSize: [2, 2, 2], mode: 'bicubic' })).message).to.contain('bicubic');
    expect(thrown(() => new Resized({ keys: 'image', spatialSize: [2, 2, 2], sizeMode: 'longest' })).location.path).to.equal('/spatial_size');
  });

  it('builds MONAI\'s erf Gaussian kernel (sigma 1: tail 4, sums to 1)', () => {
    expect(erf(0.5)).to.be.closeTo(0.5204998778130465, 1e-15);
    expect(erf(3)).to.be.closeTo(0.9999779095030014, 1e-15);
    const k = gaussianKernel(1);
    expect(k).to.have.length(9);
    expect(k.reduce((a, b) => a + b, 0)).to.be.closeTo(erf(4.5 / Math.SQRT2), 1e-6); // truncated at 4 sigma, not renormalised
    expect(gaussianKernel(0)).to.deep.equal([0, 1, 0]);
  });

  describe('against MONAI 1.5 (test/fixtures/monai/Resized.json)', () => {
    for (const c of monaiCases('Resized')) {
      const exact = /nearest|same/.test(c.name) && !/anti/.test(c.name);
      it(`${c.name}: ${JSON.stringify(c.args)} (shape and affine exact, values ${exact ? 'exact' : 'within 1e-5 relative'})`, async () => {
        const t = (await resizedEntry.create(c.args as never, context)) as Resized;
        const input = { ...volumeOf(c.input.image as MonaiArray), affine: c.input.affine as Mat4 };
        const out = (await t.apply({ image: input })).image as Volume;
        expectArray(out, c.output.image as MonaiArray, exact ? 0 : 1e-5, c.name);
        expect(out.dtype).to.equal('float32');
        (c.output.affine as Mat4).flat().forEach((v, i) => expect(out.affine.flat()[i]).to.be.closeTo(v, 1e-12));
      });
    }
  });
});
