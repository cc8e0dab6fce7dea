import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { NanToNumd, nanToNumdEntry } from '../../../src/transforms/intensity/NanToNumd.js';
import { makeVolume, valuesOf } from '../volumes.js';

describe('NanToNumd', () => {
  it('replaces NaN with 0 and infinities with the float32 extremes by default', async () => {
    const out = await new NanToNumd({ keys: 'pred' }).apply({ pred: makeVolume([NaN, Infinity, -Infinity, 1.5]) });
    expect(valuesOf(out.pred)).to.deep.equal([0, 3.4028234663852886e38, -3.4028234663852886e38, 1.5]);
  });

  it('uses the values given (NaN -> 255, the VISTA3D bundle\'s "uncomputed" label)', async () => {
    const t = nanToNumdEntry.create({ keys: 'pred', nan: 255, posinf: 1, neginf: -1 }, { id: 'x', bundleRoot: '/', logger: silentLogger }) as NanToNumd;
    expect(valuesOf((await t.apply({ pred: makeVolume([NaN, 3, Infinity, -Infinity]) })).pred)).to.deep.equal([255, 3, 1, -1]);
  });

  it('uses the float64 extremes for float64 volumes and leaves integer volumes as they are', async () => {
    const wide = (await new NanToNumd({ keys: 'a' }).apply({ a: makeVolume([Infinity], undefined, 'float64') })).a as Volume;
    expect(wide.data[0]).to.equal(Number.MAX_VALUE);
    const ints = makeVolume([1, 2], undefined, 'int16');
    expect((await new NanToNumd({ keys: 'a' }).apply({ a: ints })).a).to.equal(ints);
  });

  it('does not change the input volume', async () => {
    const v = makeVolume([NaN]);
    await new NanToNumd({ keys: 'pred' }).apply({ pred: v });
    expect(v.data[0]).to.be.NaN;
  });
});
