import { expect } from 'chai';
import fc from 'fast-check';
import type { Volume } from '../../../src/image/Volume.js';
import { percentiles, ScaleIntensityRangePercentilesd } from '../../../src/transforms/intensity/ScaleIntensityRangePercentilesd.js';
import { makeVolume, thrown, valuesOf } from '../volumes.js';

/** 1000 float32 values with repeats, in scrambled order; numpy.percentile figures below were computed on them */
const SCRAMBLED = Float32Array.from({ length: 1000 }, (_, i) => ((i * 37) % 101) * 0.37 - 5.1);

describe('percentiles', () => {
  it('matches numpy.percentile (linear interpolation) on float32 values', () => {
    // numpy 2.4: np.percentile(v, [0, 2.5, 5, 50, 95, 99.9, 100])
    const numpy = [-5.099999904632568, -4.360000133514404, -3.268499994277953, 13.399999618530273, 30.0684992790222, 31.899999618530273, 31.899999618530273];
    const ours = percentiles(SCRAMBLED, [0, 2.5, 5, 50, 95, 99.9, 100]);
    ours.forEach((v, i) => expect(v).to.be.closeTo(numpy[i]!, 1e-12));
    expect(percentiles([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], [0, 5, 25, 50, 95, 100, 33.3])).to.deep.equal([1, 1, 2.5, 4, 7.5, 9, 3]);
  });

  it('equals the value at the interpolated position of the sorted values, for any data', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 100 }), (values, q) => {
        const sorted = [...values].sort((a, b) => a - b);
        const position = ((values.length - 1) * q) / 100;
        const below = Math.floor(position);
        const t = position - below;
        const expected = t === 0 ? sorted[below]! : sorted[below]! + (sorted[below + 1]! - sorted[below]!) * t;
        expect(percentiles(values, [q])[0]).to.be.closeTo(expected, 1e-9);
      }),
    );
  });

  it('is NaN when a value is NaN, as numpy gives', () => {
    expect(percentiles([1, NaN, 3], [5, 95]).every(Number.isNaN)).to.equal(true);
  });
});

describe('ScaleIntensityRangePercentilesd', () => {
  it('maps the lower and upper percentiles to b_min and b_max without clipping (brainchop quantile scaling)', async () => {
    const image = makeVolume(Array.from({ length: 101 }, (_, i) => i * 2)); // 0, 2, ..., 200: q05 = 10, q95 = 190
    const out = await new ScaleIntensityRangePercentilesd({ keys: 'image', lower: 5, upper: 95, bMin: 0, bMax: 1 }).apply({ image });
    const values = valuesOf(out.image);
    expect((out.image as Volume).dtype).to.equal('float32');
    expect(values[5]).to.equal(0);
    expect(values[95]).to.equal(1);
    expect(values[50]).to.equal(0.5);
    expect(values[0]).to.equal(Math.fround(-10 / 180)); // below q05: negative, not clipped
    expect(values[100]).to.equal(Math.fround(Math.fround(190 / 180)));
  });

  it('clips to [b_min, b_max] when clip is set', async () => {
    const image = makeVolume(Array.from({ length: 101 }, (_, i) => i));
    const values = valuesOf((await new ScaleIntensityRangePercentilesd({ keys: 'image', lower: 10, upper: 90, bMin: -1, bMax: 1, clip: true }).apply({ image })).image);
    expect(Math.min(...values)).to.equal(-1);
    expect(Math.max(...values)).to.equal(1);
    expect(values[50]).to.equal(0);
  });

  it('with relative, maps to the same percentiles of [b_min, b_max]', async () => {
    const image = makeVolume(Array.from({ length: 101 }, (_, i) => i));
    const values = valuesOf((await new ScaleIntensityRangePercentilesd({ keys: 'image', lower: 10, upper: 90, bMin: 0, bMax: 1, relative: true }).apply({ image })).image);
    // percentile 10 (value 10) -> 0.1, percentile 90 (value 90) -> 0.9: the identity scaled by 1/100
    expect(values[10]).to.be.closeTo(0.1, 1e-7);
    expect(values[90]).to.be.closeTo(0.9, 1e-7);
    expect(values[50]).to.be.closeTo(0.5, 1e-7);
  });

  it('takes each channel\'s own percentiles when channel_wise', async () => {
    const image = makeVolume([0, 1, 2, 3, 4, 100, 200, 300, 400, 500], [2, 5, 1, 1]);
    const values = valuesOf((await new ScaleIntensityRangePercentilesd({ keys: 'image', lower: 0, upper: 100, bMin: 0, bMax: 1, channelWise: true }).apply({ image })).image);
    expect(values).to.deep.equal([0, 0.25, 0.5, 0.75, 1, 0, 0.25, 0.5, 0.75, 1]);
  });

  it('only shifts a constant image (a_min == a_max), as ScaleIntensityRanged does', async () => {
    const values = valuesOf((await new ScaleIntensityRangePercentilesd({ keys: 'image', lower: 5, upper: 95, bMin: 0, bMax: 1 }).apply({ image: makeVolume([7, 7, 7]) })).image);
    expect(values).to.deep.equal([0, 0, 0]);
  });

  it('rejects a percentile outside 0..100 and relative without b_min/b_max (invalid_arguments)', () => {
    expect(thrown(() => new ScaleIntensityRangePercentilesd({ keys: 'image', lower: -1, upper: 95, bMin: 0, bMax: 1 })).kind).to.equal('invalid_arguments');
    expect(thrown(() => new ScaleIntensityRangePercentilesd({ keys: 'image', lower: 5, upper: 101, bMin: 0, bMax: 1 })).location?.path).to.equal('/upper');
    expect(thrown(() => new ScaleIntensityRangePercentilesd({ keys: 'image', lower: 5, upper: 95, bMin: null, bMax: 1, relative: true })).kind).to.equal('invalid_arguments');
  });
});
