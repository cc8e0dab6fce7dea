import { expect } from 'chai';
import {
  connectedComponentsCombine,
  keepComponentsWithPositivePoints,
  keepMergeComponentsWithPoints,
  sigmoidAboveHalf,
} from '../../../src/apps/vista3d/componentsCombine.js';

const SHAPE = [8, 8, 8];
const at = (x: number, y: number, z: number): number => (x * 8 + y) * 8 + z;

/** A float32 map of `background` with boxes [lo, hi) set to their values. */
function map(background: number, boxes: Array<[number[], number[], number]>): Float32Array {
  const out = new Float32Array(512).fill(background);
  for (const [lo, hi, value] of boxes)
    for (let x = lo[0]!; x < hi[0]!; x++) for (let y = lo[1]!; y < hi[1]!; y++) for (let z = lo[2]!; z < hi[2]!; z++) out[at(x, y, z)] = value;
  return out;
}

describe('keepComponentsWithPositivePoints', () => {
  const twoBlobs = () => map(-2, [[[0, 0, 0], [2, 2, 2], 3], [[5, 5, 5], [8, 8, 8], 4]]);

  it('row 24: keeps only the blob holding a positive click; the other takes the mean of the rest', () => {
    const out = keepComponentsWithPositivePoints(twoBlobs(), SHAPE, [[1, 1, 1]], [1]);
    expect(out[at(0, 0, 0)]).to.equal(3);
    // not kept and not NaN: the 504 - 8 background voxels (-2) and the 27 voxels of the other blob (4)
    const fill = Math.fround((-2 * (512 - 8 - 27) + 4 * 27) / (512 - 8));
    expect(out[at(6, 6, 6)]).to.equal(fill);
    expect(fill).to.be.below(0);
  });

  it('row 25: a positive click on background keeps nothing', () => {
    const out = keepComponentsWithPositivePoints(twoBlobs(), SHAPE, [[3, 3, 3]], [1]);
    expect(Array.from(out).some((v) => v > 0)).to.equal(false);
  });

  it('row 26: only negative clicks means no filtering', () => {
    expect(keepComponentsWithPositivePoints(twoBlobs(), SHAPE, [[6, 6, 6]], [0])).to.deep.equal(twoBlobs());
  });

  it('looks clicks up at the half-to-even rounded voxel, and treats NaN as background', () => {
    const logits = twoBlobs();
    logits[at(4, 4, 4)] = NaN;
    // 2.5 rounds to 2 (background), so the first blob is not kept
    const out = keepComponentsWithPositivePoints(logits, SHAPE, [[2.5, 1, 1], [5.5, 5.5, 5.5]], [3, 1]);
    expect(out[at(0, 0, 0)]).to.be.below(0);
    expect(out[at(7, 7, 7)]).to.equal(4);
    expect(Number.isNaN(out[at(4, 4, 4)]!)).to.equal(true);
  });
});

describe('keepMergeComponentsWithPoints', () => {
  it('finds a component in the 3x3x3 cube when the click voxel is empty, preferring the highest label', () => {
    const positive = new Uint8Array(512);
    positive[at(2, 2, 1)] = 1; // label 1 in scan order
    positive[at(2, 2, 3)] = 1; // label 2
    const out = keepMergeComponentsWithPoints(positive, new Uint8Array(512), SHAPE, [[2, 2, 2]], [1]);
    expect(out[at(2, 2, 3)]).to.equal(1);
    expect(out[at(2, 2, 1)]).to.equal(0);
  });

  it('looks as far as the 5x5x5 cube and no further', () => {
    const positive = new Uint8Array(512);
    positive[at(4, 4, 6)] = 1;
    expect(keepMergeComponentsWithPoints(positive, new Uint8Array(512), SHAPE, [[4, 4, 4]], [1])[at(4, 4, 6)]).to.equal(1);
    expect(keepMergeComponentsWithPoints(positive, new Uint8Array(512), SHAPE, [[4, 4, 3]], [1])[at(4, 4, 6)]).to.equal(0);
  });

  it('negative clicks (0/2) select from the negative mask, -1 clicks are skipped', () => {
    const negative = new Uint8Array(512);
    negative[at(1, 1, 1)] = 1;
    expect(keepMergeComponentsWithPoints(new Uint8Array(512), negative, SHAPE, [[1, 1, 1]], [2])[at(1, 1, 1)]).to.equal(1);
    expect(keepMergeComponentsWithPoints(new Uint8Array(512), negative, SHAPE, [[1, 1, 1]], [-1])[at(1, 1, 1)]).to.equal(0);
  });
});

describe('connectedComponentsCombine', () => {
  it('row 42: a positive click adds the point-head component it sits in; other point-head regions are ignored', () => {
    const auto = map(-5, [[[0, 0, 0], [3, 3, 3], 2]]);
    const point = map(-1, [[[5, 5, 5], [7, 7, 7], 6], [[0, 5, 0], [2, 7, 2], 7]]);
    const out = connectedComponentsCombine(auto, point, SHAPE, [[5, 5, 5]], [1]);
    expect(out[at(1, 1, 1)]).to.equal(2); // auto kept
    expect(out[at(6, 6, 6)]).to.equal(6); // selected point component
    expect(out[at(1, 6, 1)]).to.equal(-5); // unselected point region keeps the auto logit
  });

  it('row 42: a negative click inside an auto region where the point head is negative removes that region', () => {
    const auto = map(-5, [[[0, 0, 0], [3, 3, 3], 2], [[5, 5, 5], [7, 7, 7], 3]]);
    const point = map(-1, []);
    const out = connectedComponentsCombine(auto, point, SHAPE, [[1, 1, 1]], [0]);
    expect(out[at(1, 1, 1)]).to.equal(-1);
    expect(out[at(6, 6, 6)]).to.equal(3);
  });

  it('row 42: a positive click inside the auto mask lets the point head redraw that whole component', () => {
    const auto = map(-5, [[[0, 0, 0], [3, 3, 3], 2]]);
    const point = map(-1, [[[0, 0, 0], [5, 5, 5], 9]]);
    const out = connectedComponentsCombine(auto, point, SHAPE, [[1, 1, 1]], [1]);
    expect(out[at(1, 1, 1)]).to.equal(9);
    expect(out[at(4, 4, 4)]).to.equal(9);
    expect(out[at(6, 6, 6)]).to.equal(-5);
  });

  it('with a previous mask holding NaN, NaN voxels stay NaN as in MONAI (NaN times 0)', () => {
    const previous = map(NaN, [[[0, 0, 0], [3, 3, 3], 2]]);
    const point = map(-1, [[[5, 5, 5], [7, 7, 7], 6]]);
    const out = connectedComponentsCombine(previous, point, SHAPE, [[6, 6, 6]], [1]);
    expect(out[at(1, 1, 1)]).to.equal(2);
    expect(Number.isNaN(out[at(6, 6, 6)]!)).to.equal(true);
  });
});

describe('sigmoidAboveHalf', () => {
  it('is logit > 0 except for logits too small to move a float32 sigmoid off 0.5', () => {
    expect(sigmoidAboveHalf(1e-3)).to.equal(true);
    expect(sigmoidAboveHalf(0)).to.equal(false);
    expect(sigmoidAboveHalf(1e-9)).to.equal(false);
    expect(sigmoidAboveHalf(-1e-3)).to.equal(false);
  });
});
