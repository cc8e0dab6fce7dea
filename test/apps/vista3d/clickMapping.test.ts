import { expect } from 'chai';
import { mapClicksToNetwork } from '../../../src/apps/vista3d/clickMapping.js';

describe('mapClicksToNetwork', () => {
  it('row 27: maps the spec example (50, 40, 20) of an LPS-like file to (25.333, 24.667, 33.333) unrounded', () => {
    const original = [
      [-0.8, 0, 0, 40],
      [0, -0.8, 0, 30],
      [0, 0, 2.5, -50],
      [0, 0, 0, 1],
    ];
    const network = [
      [1.5, 0, 0, -38],
      [0, 1.5, 0, -39],
      [0, 0, 1.5, -50],
      [0, 0, 0, 1],
    ];
    const [p] = mapClicksToNetwork([[50, 40, 20]], original, network);
    expect(p![0]).to.be.closeTo(76 / 3, 1e-9);
    expect(p![1]).to.be.closeTo(74 / 3, 1e-9);
    expect(p![2]).to.be.closeTo(100 / 3, 1e-9);
  });

  it('row 27: an oblique, permuted network grid gives inv(A_net)·A_orig·p exactly', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const original = [
      [0.7 * c, -0.7 * s, 0, 10],
      [0.7 * s, 0.7 * c, 0, -5],
      [0, 0, 3, 2],
      [0, 0, 0, 1],
    ];
    // network index q maps to original index T·q with T a permutation, flip, scale and shift
    const t = [
      [0, 2, 0, 1],
      [-2, 0, 0, 80],
      [0, 0, 0.5, 3],
      [0, 0, 0, 1],
    ];
    const network = original.map((row) => [0, 1, 2, 3].map((j) => row.reduce((sum, v, k) => sum + v * t[k]![j]!, 0)));
    const q = [12.25, 7.5, 30];
    const p = [0, 1, 2].map((r) => t[r]![0]! * q[0]! + t[r]![1]! * q[1]! + t[r]![2]! * q[2]! + t[r]![3]!);
    const [mapped] = mapClicksToNetwork([p], original, network);
    mapped!.forEach((v, axis) => expect(v).to.be.closeTo(q[axis]!, 1e-9));
  });
});
