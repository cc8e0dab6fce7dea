import { expect } from 'chai';
import { PNG } from 'pngjs';
import { labelColour, renderPreview } from '../../src/cli/preview.js';
import type { Volume } from '../../src/image/Volume.js';

const N = 20;
function volume(fill: (x: number, y: number, z: number) => number, affine: number[][]): Volume {
  const data = new Float32Array(N * N * N);
  for (let x = 0; x < N; x++) for (let y = 0; y < N; y++) for (let z = 0; z < N; z++) data[(x * N + y) * N + z] = fill(x, y, z);
  return { data, dtype: 'float32', shape: [1, N, N, N], affine, meta: { originalAffine: affine, originalSpatialShape: [N, N, N] }, appliedOperations: [] };
}
const RAS = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
const LPS = [[-1, 0, 0, 19], [0, -1, 0, 19], [0, 0, 1, 0], [0, 0, 0, 1]];

/** The pixel colour at (col, row) of the first (axial) panel. */
const pixel = (png: PNG, col: number, row: number) => Array.from(png.data.subarray((row * png.width + col) * 4, (row * png.width + col) * 4 + 3));

describe('renderPreview', () => {
  it('draws three panels through the largest label, grey CT with the label in its colour, patient right on the left', () => {
    // label 7: a block at high x (patient right in RAS) and low y (posterior); label 2 smaller, at low x and y
    const labels = volume((x, y, z) => (x >= 14 && y < 6 && z >= 8 && z < 12 ? 7 : x < 2 && y < 2 ? 2 : 0), RAS);
    const ct = volume((x, y, z) => (z === 0 ? -1000 : 40), RAS); // some air: the CT soft-tissue window applies
    const png = PNG.sync.read(renderPreview(ct, labels));
    expect(png.width).to.equal(3 * 320 + 2 * 4);
    expect(png.height).to.equal(320);
    // axial panel, radiological: high x (patient right) on the left of the picture, posterior at the bottom
    const grey = Math.round((255 * (40 + 160)) / 400);
    const tint = (id: number) => labelColour(id).map((c) => Math.round(0.5 * grey + 0.5 * c));
    expect(pixel(png, 10, 310)).to.deep.equal(tint(7));
    expect(pixel(png, 310, 310)).to.deep.equal(tint(2));
    expect(pixel(png, 10, 10)).to.deep.equal([grey, grey, grey]);
  });

  it('an LPS volume gives the same picture as its RAS equivalent', () => {
    const ras = volume((x, y, z) => (x >= 14 && y < 6 && z > 8 ? 4 : 0), RAS);
    const lps = volume((x, y, z) => (N - 1 - x >= 14 && N - 1 - y < 6 && z > 8 ? 4 : 0), LPS);
    expect(renderPreview(null, lps).equals(renderPreview(null, ras))).to.equal(true);
  });
});
