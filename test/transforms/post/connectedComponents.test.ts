import { expect } from 'chai';
import fc from 'fast-check';
import {
  componentAt,
  labelComponents,
  largestComponentMask,
  largestLabelInCube,
  largestLabels,
} from '../../../src/transforms/post/connectedComponents.js';
import { thrown } from '../volumes.js';

/** Mask of shape [nx, ny, nz] with ones at the given voxels. */
function maskWith(shape: number[], voxels: number[][]): Uint8Array {
  const [, ny, nz] = shape as [number, number, number];
  const m = new Uint8Array(shape[0]! * ny * nz);
  for (const [i, j, k] of voxels) m[(i! * ny + j!) * nz + k!] = 1;
  return m;
}

/** Reference labelling: breadth-first flood fill from each unlabelled voxel in scan order. */
function floodFill(mask: Uint8Array, shape: number[], connectivity: number): Int32Array {
  const [nx, ny, nz] = shape as [number, number, number];
  const labels = new Int32Array(mask.length);
  const offsets: number[][] = [];
  for (let a = -1; a <= 1; a++)
    for (let b = -1; b <= 1; b++)
      for (let c = -1; c <= 1; c++) {
        const hops = Math.abs(a) + Math.abs(b) + Math.abs(c);
        if (hops > 0 && hops <= connectivity) offsets.push([a, b, c]);
      }
  let next = 0;
  const queue = new Int32Array(mask.length);
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    labels[start] = ++next;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    while (head < tail) {
      const v = queue[head++]!;
      const i = Math.floor(v / (ny * nz));
      const j = Math.floor(v / nz) % ny;
      const k = v % nz;
      for (const [a, b, c] of offsets) {
        const x = i + a!;
        const y = j + b!;
        const z = k + c!;
        if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) continue;
        const w = (x * ny + y) * nz + z;
        if (mask[w] && !labels[w]) {
          labels[w] = next;
          queue[tail++] = w;
        }
      }
    }
  }
  return labels;
}

describe('labelComponents', () => {
  it('joins voxels that touch by a corner only with connectivity 3 (26 neighbours), the default', () => {
    const mask = maskWith([2, 2, 2], [[0, 0, 0], [1, 1, 1]]);
    expect(labelComponents(mask, [2, 2, 2]).count).to.equal(1);
    expect(labelComponents(mask, [2, 2, 2], 2).count).to.equal(2);
    expect(labelComponents(mask, [2, 2, 2], 1).count).to.equal(2);
  });

  it('joins voxels that touch by an edge with connectivity 2 and 3 but not 1', () => {
    const mask = maskWith([2, 2, 1], [[0, 0, 0], [1, 1, 0]]);
    expect([1, 2, 3].map((c) => labelComponents(mask, [2, 2, 1], c).count)).to.deep.equal([2, 1, 1]);
  });

  it('joins voxels sharing a face at every connectivity', () => {
    const mask = maskWith([1, 1, 2], [[0, 0, 0], [0, 0, 1]]);
    expect([1, 2, 3].map((c) => labelComponents(mask, [1, 1, 2], c).count)).to.deep.equal([1, 1, 1]);
  });

  it('numbers components in scan order (C order, last axis fastest), 1-based, with their sizes', () => {
    // a U shape whose arms meet only at the bottom: the second arm is first met later but merges
    const shape = [3, 1, 4];
    const mask = maskWith(shape, [[0, 0, 0], [0, 0, 3], [1, 0, 0], [1, 0, 3], [2, 0, 0], [2, 0, 1], [2, 0, 2], [2, 0, 3], [0, 0, 2 - 1]]);
    const { labels, count, sizes } = labelComponents(mask, shape, 1);
    expect(count).to.equal(1);
    expect(sizes).to.deep.equal([0, 9]);
    expect(Array.from(labels)).to.deep.equal([1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    const two = labelComponents(maskWith([1, 2, 3], [[0, 1, 0], [0, 0, 2]]), [1, 2, 3], 1);
    expect(Array.from(two.labels)).to.deep.equal([0, 0, 1, 2, 0, 0]);
  });

  it('merges many provisional labels that meet late (a comb whose teeth join in the last row)', () => {
    const shape = [1, 10, 21];
    const voxels: number[][] = [];
    for (let k = 0; k < 21; k += 2) for (let j = 0; j < 9; j++) voxels.push([0, j, k]);
    for (let k = 0; k < 21; k++) voxels.push([0, 9, k]);
    const { count, sizes } = labelComponents(maskWith(shape, voxels), shape, 1);
    expect(count).to.equal(1);
    expect(sizes[1]).to.equal(11 * 9 + 21);
  });

  it('counts many separate components (a 3-D checkerboard at connectivity 1)', () => {
    const shape = [6, 6, 6];
    const mask = new Uint8Array(216);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) for (let k = 0; k < 6; k++) mask[(i * 6 + j) * 6 + k] = (i + j + k) % 2;
    expect(labelComponents(mask, shape, 1).count).to.equal(108);
    expect(labelComponents(mask, shape, 2).count).to.equal(1);
  });

  it('matches a flood fill exactly (labels and order) on random volumes, for connectivity 1, 2 and 3', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0.1, max: 0.7, noNaN: true }),
        fc.integer(),
        (shape, connectivity, density, seed) => {
          let s = seed >>> 0;
          const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
          const mask = Uint8Array.from({ length: shape[0] * shape[1] * shape[2] }, () => (rand() < density ? 1 : 0));
          const ours = labelComponents(mask, shape, connectivity);
          const reference = floodFill(mask, shape, connectivity);
          expect(Array.from(ours.labels)).to.deep.equal(Array.from(reference));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('matches a flood fill on a large random volume (64 x 80 x 96, 26-connectivity)', () => {
    const shape = [64, 80, 96];
    let s = 12345;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const mask = Uint8Array.from({ length: 64 * 80 * 96 }, () => (rand() < 0.08 ? 1 : 0));
    const ours = labelComponents(mask, shape);
    const reference = floodFill(mask, shape, 3);
    expect(ours.count).to.be.greaterThan(5000);
    expect(ours.labels).to.deep.equal(reference);
    const sizes = new Array<number>(ours.count + 1).fill(0);
    for (const l of reference) if (l) sizes[l]!++;
    expect(ours.sizes).to.deep.equal(sizes);
  });

  it('returns no components for an empty mask', () => {
    expect(labelComponents(new Uint8Array(8), [2, 2, 2])).to.deep.include({ count: 0, sizes: [0] });
  });

  it('rejects a connectivity outside 1..3 and a mask that does not fit the shape', () => {
    expect(thrown(() => labelComponents(new Uint8Array(8), [2, 2, 2], 4)).kind).to.equal('invalid_arguments');
    expect(thrown(() => labelComponents(new Uint8Array(7), [2, 2, 2])).kind).to.equal('invalid_data');
  });
});

describe('largestLabels and largestComponentMask', () => {
  it('keeps the largest component only', () => {
    const shape = [1, 1, 7];
    const mask = Uint8Array.from([1, 0, 1, 1, 1, 0, 1]);
    expect(Array.from(largestComponentMask(mask, shape))).to.deep.equal([0, 0, 1, 1, 1, 0, 0]);
    // two largest: the 3-voxel run, then of the two single voxels the later one
    expect(Array.from(largestComponentMask(mask, shape, 3, 2))).to.deep.equal([0, 0, 1, 1, 1, 0, 1]);
  });

  it('ranks equal sizes with the later label first (MONAI argsort order)', () => {
    const components = labelComponents(Uint8Array.from([1, 0, 1, 0, 1, 1]), [1, 1, 6]);
    expect(largestLabels(components, 3)).to.deep.equal([3, 2, 1]);
  });

  it('returns the mask itself when there are no more components than asked for', () => {
    expect(Array.from(largestComponentMask(Uint8Array.from([2, 0, 5]), [1, 1, 3], 3, 2))).to.deep.equal([1, 0, 1]);
  });
});

describe('componentAt and largestLabelInCube', () => {
  const shape = [5, 5, 5];
  const { labels } = labelComponents(maskWith(shape, [[0, 0, 0], [4, 4, 4], [2, 2, 4]]), shape);

  it('gives the label at a voxel, and 0 outside the volume', () => {
    expect(componentAt(labels, shape, [4, 4, 4])).to.equal(3);
    expect(componentAt(labels, shape, [2, 2, 4])).to.equal(2);
    expect(componentAt(labels, shape, [5, 0, 0])).to.equal(0);
    expect(componentAt(labels, shape, [-1, 0, 0])).to.equal(0);
  });

  it('finds the largest label in a cube clamped to the volume', () => {
    expect(largestLabelInCube(labels, shape, [3, 3, 3], 0)).to.equal(0);
    expect(largestLabelInCube(labels, shape, [3, 3, 3], 1)).to.equal(3);
    expect(largestLabelInCube(labels, shape, [1, 1, 2], 1)).to.equal(0);
    expect(largestLabelInCube(labels, shape, [1, 1, 2], 2)).to.equal(2);
    expect(largestLabelInCube(labels, shape, [2, 2, 2], 2)).to.equal(3);
  });
});
