/** SliceInferer against MONAI 1.5: a fixed 3x3 Conv2d over the slices of a small volume along each axis. */
import { expect } from 'chai';
import { sliceInfererEntry } from '../../src/inference/entries.js';
import { SliceInferer } from '../../src/inference/SliceInferer.js';
import type { Predictor, Tensor } from '../../src/inference/types.js';
import { silentLogger } from '../../src/registry/ComponentEntry.js';
import { monaiCases, type MonaiArray } from '../helpers/monaiCases.js';
import { thrown } from '../helpers/errors.js';

/** torch's Conv2d(1 -> K, 3x3, padding 1) on [b, 1, h, w]. */
function conv2d(weight: MonaiArray, bias: MonaiArray): Predictor & { shapes: number[][] } {
  const shapes: number[][] = [];
  const predictor = async (batch: Tensor): Promise<Tensor> => {
    shapes.push(batch.dims);
    expect(batch.dims, 'the network sees 2-D slices').to.have.length(4);
    const [b, , h, w] = batch.dims as [number, number, number, number];
    const k = weight.shape[0]!;
    const x = batch.data as Float32Array;
    const out = new Float32Array(b * k * h * w);
    for (let n = 0; n < b; n++)
      for (let c = 0; c < k; c++)
        for (let i = 0; i < h; i++)
          for (let j = 0; j < w; j++) {
            let sum = bias.data[c]!;
            for (let di = -1; di <= 1; di++)
              for (let dj = -1; dj <= 1; dj++) {
                const ii = i + di;
                const jj = j + dj;
                if (ii >= 0 && ii < h && jj >= 0 && jj < w) sum += weight.data[c * 9 + (di + 1) * 3 + dj + 1]! * x[(n * h + ii) * w + jj]!;
              }
            out[((n * k + c) * h + i) * w + j] = sum;
          }
    return { type: 'float32', dims: [b, k, h, w], data: out };
  };
  return Object.assign(predictor, { shapes });
}

describe('SliceInferer', () => {
  it('rejects a 3-D roi_size and a spatial_dim beyond Z', () => {
    expect(thrown(() => new SliceInferer({ roiSize: [4, 4, 4] })).location.path).to.equal('/roi_size');
    expect(thrown(() => new SliceInferer({ roiSize: [4, 4], spatialDim: 3 })).location.path).to.equal('/spatial_dim');
  });

  describe('against MONAI 1.5 (test/fixtures/monai/SliceInferer.json)', () => {
    for (const c of monaiCases('SliceInferer')) {
      it(`${c.name}: output within 1e-5`, async () => {
        const inferer = (await sliceInfererEntry.create(c.args as never, { id: 'inferer', bundleRoot: '/', logger: silentLogger })) as SliceInferer;
        const image = c.input.image as MonaiArray;
        const net = conv2d(c.input.weight as MonaiArray, c.input.bias as MonaiArray);
        const out = await inferer.infer({ type: 'float32', dims: image.shape, data: Float32Array.from(image.data) }, net);
        const expected = c.output.pred as MonaiArray;
        expect(out.dims).to.deep.equal(expected.shape);
        const batch = (c.args as { sw_batch_size?: number }).sw_batch_size ?? 1;
        expect(Math.max(...net.shapes.map((s) => s[0]!))).to.equal(batch);
        let worst = 0;
        expected.data.forEach((v, i) => (worst = Math.max(worst, Math.abs((out.data as Float32Array)[i]! - v))));
        expect(worst).to.be.at.most(1e-5);
      });
    }
  });
});
