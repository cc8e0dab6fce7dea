import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import { axisStarts, importanceMap, planWindows, pointWindow, windowStarts } from '../../src/inference/windows.js';
import { sharedPath } from '../helpers/shared.js';

interface SwSidecar {
  params: { roi_size: number[]; overlap: number };
  input_shape: number[];
  pad_per_axis_lo_hi: [number, number][];
  num_windows: number;
  window_starts_per_axis: number[][];
}

function sidecar(ctx: Mocha.Context, ...parts: string[]): SwSidecar {
  return JSON.parse(readFileSync(sharedPath(ctx, 'reference', 'monai', ...parts), 'utf8')) as SwSidecar;
}

describe('inference/windows planWindows', () => {
  for (const variant of [['ct_sm'], ['ct_sm', 'pixdim_keep']]) {
    for (const mode of ['constant', 'gaussian']) {
      it(`places the windows of MONAI's ${[...variant, `06_sw_${mode}`].join('/')} run`, function () {
        const ref = sidecar(this, ...variant, `06_sw_${mode}.json`);
        const plan = planWindows(ref.input_shape.slice(2), ref.params.roi_size, ref.params.overlap);
        expect(plan.startsPerAxis).to.deep.equal(ref.window_starts_per_axis);
        expect(plan.numWindows).to.equal(ref.num_windows);
        expect(plan.pad).to.deep.equal(ref.pad_per_axis_lo_hi);
      });
    }
  }

  it('pads an axis shorter than the roi with floor(diff/2) low and gives it one window', () => {
    const plan = planWindows([10, 40, 7], [16, 16, 16], 0.25);
    expect(plan.pad).to.deep.equal([[3, 3], [0, 0], [4, 5]]);
    expect(plan.paddedShape).to.deep.equal([16, 40, 16]);
    expect(plan.startsPerAxis[0]).to.deep.equal([0]);
    expect(plan.startsPerAxis[2]).to.deep.equal([0]);
    expect(plan.startsPerAxis[1]).to.deep.equal([0, 12, 24]);
  });

  it('matches the VISTA3D record of 0, 96, 172 for a 300-voxel axis at roi 128', () => {
    expect(axisStarts(300, 128, 96)).to.deep.equal([0, 96, 172]);
  });

  it('takes the image size for non-positive roi entries, like fall_back_tuple', () => {
    const plan = planWindows([20, 30, 40], [-1, 16, 0], 0.5);
    expect(plan.roiSize).to.deep.equal([20, 16, 40]);
    expect(plan.startsPerAxis[0]).to.deep.equal([0]);
    expect(plan.startsPerAxis[2]).to.deep.equal([0]);
  });

  it('accepts one overlap per axis and rejects overlaps outside [0, 1)', () => {
    expect(planWindows([64, 64, 64], [32, 32, 32], [0, 0.5, 0.75]).scanInterval).to.deep.equal([32, 16, 8]);
    expect(() => planWindows([64, 64, 64], [32, 32, 32], 1)).to.throw(/overlap/).with.property('kind', 'invalid_arguments');
  });

  it('windows cover every voxel, start inside the padded image and come axis 0 slowest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 3, maxLength: 3 }),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        (shape, roi, overlap) => {
          const plan = planWindows(shape, roi, overlap);
          const starts = windowStarts(plan);
          const covered = plan.paddedShape.map((s) => new Uint8Array(s));
          for (const start of starts) {
            start.forEach((s, axis) => {
              expect(s).to.be.within(0, plan.paddedShape[axis] - plan.roiSize[axis]);
              covered[axis].fill(1, s, s + plan.roiSize[axis]);
            });
          }
          for (const c of covered) expect(c.every((v) => v === 1)).to.equal(true);
          for (let i = 1; i < starts.length; i++) expect(starts[i][0]).to.be.at.least(starts[i - 1][0]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('inference/windows importanceMap', () => {
  it('is all ones in constant mode', () => {
    expect(Array.from(importanceMap([2, 3, 4], 'constant')).every((v) => v === 1)).to.equal(true);
  });

  it("reproduces MONAI's gaussian map facts: 1e-3 floor on 9544 voxels, peak 0.9542067", function () {
    const ref = JSON.parse(readFileSync(sharedPath(this, 'reference', 'monai', 'ct_sm', 'importance_map_gaussian.json'), 'utf8'));
    const map = importanceMap([32, 32, 16], 'gaussian', 0.125);
    let atFloor = 0;
    let max = 0;
    for (const v of map) {
      if (v === Math.fround(1e-3)) atFloor++;
      max = Math.max(max, v);
    }
    expect(atFloor).to.equal(ref.count_at_clamp_min);
    expect(max).to.equal(ref.center_value);
    const axis2 = Array.from({ length: 16 }, (_, k) => {
      let s = 0;
      for (let i = 0; i < 32 * 32; i++) s += map[i * 16 + k];
      return s / 1024;
    });
    axis2.forEach((m, k) => expect(m).to.be.closeTo(ref.axis2_mean[k], 1e-8));
  });

  it('rejects an unknown mode', () => {
    expect(() => importanceMap([4, 4, 4], 'triangle' as 'gaussian')).to.throw(/triangle/);
  });
});

describe('inference/windows pointWindow', () => {
  it('centres a 128 window on the truncated click, clamped at both edges', () => {
    expect(pointWindow(100.7, 128, 300)).to.deep.equal([[36, 164]]);
    expect(pointWindow(10, 128, 300)).to.deep.equal([[0, 128]]);
    expect(pointWindow(250, 128, 300)).to.deep.equal([[172, 300]]);
    expect(pointWindow(64, 128, 128)).to.deep.equal([[0, 128]]);
  });

  it('adds the two margin windows before the centre one when centerOnly is false', () => {
    expect(pointWindow(100, 128, 300, { centerOnly: false, margin: 5 })).to.deep.equal([
      [0, 128],
      [95, 223],
      [36, 164],
    ]);
  });
});
