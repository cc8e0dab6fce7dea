import { expect } from 'chai';
import { affineFrom, indexToWorld, invert, multiply } from '../../../src/image/geometry.js';
import type { Mat4, Volume } from '../../../src/image/Volume.js';
import { spacingdEntry, Spacingd, spacingGrid } from '../../../src/transforms/spatial/Spacingd.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { makeVolume, rejection, thrown } from '../volumes.js';

const context = { id: 'preprocessing::transforms::3', bundleRoot: '/b', logger: silentLogger };
const diag = (x: number, y: number, z: number, origin = [0, 0, 0]): Mat4 => affineFrom({ spacing: [Math.abs(x), Math.abs(y), Math.abs(z)], origin, direction: [[Math.sign(x), 0, 0], [0, Math.sign(y), 0], [0, 0, Math.sign(z)]] });

/** A volume whose value is a linear function of the world position (trilinear interpolation keeps it). */
function linearVolume(spatial: number[], affine: Mat4, f = (p: number[]) => 2 * p[0]! - 3 * p[1]! + 0.5 * p[2]!): Volume {
  const values: number[] = [];
  for (let a = 0; a < spatial[0]!; a++) for (let b = 0; b < spatial[1]!; b++) for (let c = 0; c < spatial[2]!; c++) values.push(f(indexToWorld(affine, [a, b, c])));
  return { ...makeVolume(values, [1, ...spatial], 'float64'), affine };
}

async function spaced(volume: Volume, args: Record<string, unknown>): Promise<Volume> {
  const t = spacingdEntry.create({ keys: 'image', ...args } as never, context) as Spacingd;
  return (await t.apply({ image: volume })).image as Volume;
}

describe('Spacingd', () => {
  describe('spacingGrid (output shape and affine, MONAI rules)', () => {
    it('keeps the first voxel centre and rounds (n-1)*s_in/s_out + 1 per axis', () => {
      const grid = spacingGrid(diag(3, 3, 3, [-177.95, 11.3, 94.3]), [122, 101, 30], { pixdim: [1.5, 1.5, 1.5] });
      expect(grid.spatialShape).to.deep.equal([243, 201, 59]);
      expect(grid.affine).to.deep.equal(diag(1.5, 1.5, 1.5, [-177.95, 11.3, 94.3]));
    });

    it('keeps negative (LPS) axes negative and computes the anisotropic shape', () => {
      const grid = spacingGrid(diag(-0.8, -0.8, 2.5), [100, 90, 40], { pixdim: [1.5, 1.5, 1.5] });
      expect(grid.spatialShape).to.deep.equal([54, 48, 66]);
      expect(grid.affine).to.deep.equal(diag(-1.5, -1.5, 1.5));
    });

    it('keeps an axis whose pixdim is non-positive (per axis -1)', () => {
      const grid = spacingGrid(diag(0.7, 0.7, 5), [10, 10, 4], { pixdim: [1.4, 1.4, -1] });
      expect(grid.spatialShape).to.deep.equal([6, 6, 4]);
      expect(grid.affine).to.deep.equal(diag(1.4, 1.4, 5));
    });

    it('keeps the input spacing when within 1e-3 of the target (AFFINE_TOL) and not otherwise', () => {
      expect(spacingGrid(diag(1.4995, 1, 1), [10, 10, 10], { pixdim: [1.5, 1, 1] }).affine[0]![0]).to.equal(1.4995);
      expect(spacingGrid(diag(1.498, 1, 1), [10, 10, 10], { pixdim: [1.5, 1, 1] }).affine[0]![0]).to.equal(1.5);
    });

    it('uses the last pixdim value for missing axes', () => {
      expect(spacingGrid(diag(1, 1, 1), [9, 9, 9], { pixdim: [2] }).spatialShape).to.deep.equal([5, 5, 5]);
    });

    it('keeps the rotation of an oblique affine (diagonal=false) and drops it with diagonal=true', () => {
      const t = 0.3;
      const rot = [[Math.cos(t), -Math.sin(t), 0], [Math.sin(t), Math.cos(t), 0], [0, 0, 1]];
      const affine = affineFrom({ spacing: [1, 1, 1], origin: [4, 5, 6], direction: rot });
      const kept = spacingGrid(affine, [10, 10, 10], { pixdim: [2, 2, 2] });
      kept.affine.slice(0, 3).forEach((row, i) => row.slice(0, 3).forEach((v, j) => expect(v).to.be.closeTo(2 * rot[i]![j]!, 1e-12)));
      expect(kept.spatialShape).to.deep.equal([6, 6, 6]);
      const flat = spacingGrid(affine, [10, 10, 10], { pixdim: [2, 2, 2], diagonal: true });
      expect(flat.affine.slice(0, 3).map((r) => r.slice(0, 3))).to.deep.equal([[2, 0, 0], [0, 2, 0], [0, 0, 2]]);
    });
  });

  describe('resampling', () => {
    it('reproduces a linear function of world position exactly inside the input (anisotropic, bilinear)', async () => {
      const affine = diag(0.8, 1.1, 2.5, [-10, 4, 7]);
      const input = linearVolume([13, 9, 6], affine);
      const out = await spaced(input, { pixdim: [1.5, 0.7, 1.2] });
      expect(out.dtype).to.equal('float32');
      const toInput = multiply(invert(affine), out.affine);
      const [, x, y, z] = out.shape as number[];
      let checked = 0;
      for (let a = 0; a < x!; a++) for (let b = 0; b < y!; b++) for (let c = 0; c < z!; c++) {
        const src = indexToWorld(toInput, [a, b, c]);
        if (src.some((s, d) => s > [12, 8, 5][d]!)) continue; // beyond the last input voxel: border clamp
        const world = indexToWorld(out.affine, [a, b, c]);
        expect(out.data[(a * y! + b) * z! + c]).to.be.closeTo(Math.fround(2 * world[0]! - 3 * world[1]! + 0.5 * world[2]!), 1e-4);
        checked++;
      }
      expect(checked).to.be.greaterThan(100);
    });

    it('clamps to the border: output voxels past the last input voxel repeat the edge', async () => {
      // 3 voxels at 1 mm to 2 mm: output indices 0,1 -> input 0,2; round((2)*1/2+1) = 2 voxels, no clamp;
      // 4 voxels to 3 mm: round(3/3+1) = 2 voxels at input 0 and 3.
      const out = await spaced(makeVolume([10, 20, 30, 40], [1, 4, 1, 1]), { pixdim: [3, 1, 1] });
      expect([...out.data]).to.deep.equal([10, 40]);
      const up = await spaced(makeVolume([0, 10], [1, 2, 1, 1]), { pixdim: [0.4, 1, 1] });
      expect(up.shape).to.deep.equal([1, 4, 1, 1]);
      expect([...up.data].map((v) => +v.toFixed(5))).to.deep.equal([0, 4, 8, 10]);
    });

    it('nearest keeps label values and rounds ties half away from zero (torch 1.13\'s 3-D grid_sample)', async () => {
      // 1 mm -> 0.5 mm (source index = j / 2: 0.5 -> 1, 1.5 -> 2, 2.5 -> 3); MONAI 1.5 on torch 1.13 gives the same
      const out = await spaced(makeVolume([1, 2, 3, 4], [1, 4, 1, 1], 'uint8'), { pixdim: [0.5, 1, 1], mode: 'nearest' });
      expect([...out.data]).to.deep.equal([1, 2, 2, 3, 3, 4, 4]);
    });

    it('zeros padding gives taps outside the input weight 0 instead of clamping', async () => {
      // output voxel 3 sits at input index 1.2: border gives 10, zeros gives 0.8 * 10
      const out = await spaced(makeVolume([0, 10], [1, 2, 1, 1]), { pixdim: [0.4, 1, 1], padding_mode: 'zeros' });
      expect([...out.data].map((v) => +v.toFixed(5))).to.deep.equal([0, 4, 8, 8]);
    });

    it('does not resample when the grid is unchanged (pixdim -1), only casts to float32', async () => {
      const v = { ...makeVolume([1.25, -3, 7], [1, 3, 1, 1], 'int16'), affine: diag(2, 2, 2, [1, 2, 3]) };
      const out = await spaced(v, { pixdim: [-1, -1, -1] });
      expect(out.dtype).to.equal('float32');
      expect([...out.data]).to.deep.equal([1, -3, 7]);
      expect(out.affine).to.deep.equal(v.affine);
      expect(out.appliedOperations.map((o) => o.transform)).to.deep.equal(['Spacingd']);
    });

    it('resamples every channel', async () => {
      const v = makeVolume([0, 2, 4, 10, 12, 14], [2, 3, 1, 1]);
      const out = await spaced(v, { pixdim: [0.5, 1, 1] });
      expect([...out.data]).to.deep.equal([0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
    });

    it('samples an oblique grid through the general path like the axis-aligned one', async () => {
      const t = 0.25;
      const rot = [[Math.cos(t), -Math.sin(t), 0], [Math.sin(t), Math.cos(t), 0], [0, 0, 1]];
      const affine = affineFrom({ spacing: [1, 1, 1], origin: [0, 0, 0], direction: rot });
      const input = linearVolume([8, 8, 3], affine);
      const out = await spaced(input, { pixdim: [0.7, 0.7, 1], diagonal: true });
      const toInput = multiply(invert(affine), out.affine);
      const [, x, y, z] = out.shape as number[];
      let checked = 0;
      for (let a = 0; a < x!; a++) for (let b = 0; b < y!; b++) for (let c = 0; c < z!; c++) {
        const src = indexToWorld(toInput, [a, b, c]);
        if (src.some((s, d) => s < 0 || s > [7, 7, 2][d]!)) continue;
        const w = indexToWorld(out.affine, [a, b, c]);
        expect(out.data[(a * y! + b) * z! + c]).to.be.closeTo(2 * w[0]! - 3 * w[1]! + 0.5 * w[2]!, 1e-4);
        checked++;
      }
      expect(checked).to.be.greaterThan(50);
    });
  });

  describe('inverse', () => {
    it('maps a label volume back to the original grid: shape and affine exact, labels identical (nearest)', async () => {
      const values = Array.from({ length: 7 * 5 * 4 }, (_, i) => (i * 7) % 3);
      const v = { ...makeVolume(values, [1, 7, 5, 4], 'uint8'), affine: diag(-0.9, 1.3, 2, [3, -4, 5]) };
      const t = spacingdEntry.create({ keys: 'label', pixdim: [0.45, 0.65, 1], mode: 'nearest' } as never, context) as Spacingd;
      const forward = await t.apply({ label: v });
      const back = t.inverse(forward).label as Volume;
      expect(back.shape).to.deep.equal(v.shape);
      expect(back.affine).to.deep.equal(v.affine);
      expect([...back.data]).to.deep.equal(values);
      expect(back.appliedOperations).to.deep.equal([]);
    });

    it('refuses to invert a volume whose last operation is not Spacingd', async () => {
      const t = new Spacingd({ keys: 'image', pixdim: [1] });
      const v = { ...makeVolume([1, 2]), appliedOperations: [{ transform: 'Orientationd', info: {} }] };
      expect(thrown(() => t.inverse({ image: v })).kind).to.equal('not_invertible');
    });
  });

  describe('arguments', () => {
    it('ensure_same_shape gives keys on the same grid the same output shape', async () => {
      const t = spacingdEntry.create({ keys: ['image', 'label'], pixdim: [1.5, 1.5, 1.5], mode: ['bilinear', 'nearest'] } as never, context) as Spacingd;
      const out = await t.apply({ image: makeVolume(new Array(30).fill(1), [1, 10, 3, 1]), label: makeVolume(new Array(30).fill(2), [1, 10, 3, 1], 'uint8') });
      expect((out.image as Volume).shape).to.deep.equal((out.label as Volume).shape);
    });

    it('rejects recompute_affine=true and a non-float dtype with invalid_arguments naming the argument', async () => {
      const e1 = thrown(() => spacingdEntry.create({ keys: 'image', pixdim: 1, recompute_affine: true } as never, context));
      expect(e1.kind).to.equal('invalid_arguments');
      expect(e1.location.path).to.equal('/recompute_affine');
      const e2 = thrown(() => spacingdEntry.create({ keys: 'image', pixdim: 1, dtype: 'int8' } as never, context));
      expect(e2.location.path).to.equal('/dtype');
    });

    it('reports a missing key with missing_key', async () => {
      const t = new Spacingd({ keys: 'image', pixdim: [1] });
      expect((await rejection(t.apply({ label: makeVolume([1]) }))).kind).to.equal('missing_key');
    });
  });
});
