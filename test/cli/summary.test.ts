import { expect } from 'chai';
import { channelDefOf, formatSummary, labelSummary, voxelVolumeMm3 } from '../../src/cli/summary.js';
import type { Volume } from '../../src/image/Volume.js';

const labels = (values: number[], affine: number[][]): Volume => ({
  data: Float32Array.from(values), dtype: 'float32', shape: [1, values.length, 1, 1], affine,
  meta: { originalAffine: affine, originalSpatialShape: [values.length, 1, 1] }, appliedOperations: [],
});
const LPS_2MM = [[-2, 0, 0, 0], [0, -2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];

describe('labelSummary / formatSummary', () => {
  it('counts each non-background label with its channel_def name and its volume from the affine (flips do not matter)', () => {
    const summary = labelSummary(labels([0, 3, 3, 1, 0, 255], LPS_2MM), { '1': 'liver', '3': 'spleen' });
    expect(summary).to.deep.equal([
      { id: 1, name: 'liver', voxels: 1, volumeMl: 0.008 },
      { id: 3, name: 'spleen', voxels: 2, volumeMl: 0.016 },
      { id: 255, name: 'not computed (outside the point windows)', voxels: 1, volumeMl: 0.008 },
    ]);
    const text = formatSummary('out.nii.gz', summary);
    expect(text).to.match(/^out\.nii\.gz: 3 labels/);
    expect(text).to.match(/3\s+spleen\s+2\s+0\.0\n/);
  });

  it('a probability map is not summarised as labels, and an empty output says so', () => {
    expect(labelSummary(labels([0, 0.5, 1], LPS_2MM))).to.equal(null);
    expect(formatSummary('p.nii.gz', null)).to.include('not a label map');
    expect(formatSummary('e.nii.gz', labelSummary(labels([0, 0], LPS_2MM)))).to.include('no label found');
  });

  it('prompted ids with no voxel are listed as "prompted, empty" with their name, even when nothing else is found', () => {
    const summary = labelSummary(labels([0, 3, 3, 0], LPS_2MM), { '3': 'spleen', '25': 'hepatic vessel' }, [3, 25]);
    expect(summary).to.deep.equal([
      { id: 3, name: 'spleen', voxels: 2, volumeMl: 0.016 },
      { id: 25, name: 'hepatic vessel', voxels: 0, volumeMl: 0, promptedEmpty: true },
    ]);
    const text = formatSummary('out.nii.gz', summary);
    expect(text).to.match(/^out\.nii\.gz: 1 label, 1 prompted, empty\n/);
    expect(text).to.match(/25\s+hepatic vessel \(prompted, empty\)\s+0\s+0\.0$/);
    expect(formatSummary('e.nii.gz', labelSummary(labels([0, 0], LPS_2MM), null, [7]))).to.match(/: 0 labels, 1 prompted, empty\n.*\n {2}7 +\(unnamed\) \(prompted, empty\)/);
  });

  it('voxel volume is |det| of the linear part, also for oblique affines', () => {
    const c = Math.cos(0.3), s = Math.sin(0.3);
    expect(voxelVolumeMm3([[c * 2, -s * 3, 0, 5], [s * 2, c * 3, 0, 1], [0, 0, 0.5, 2], [0, 0, 0, 1]])).to.be.closeTo(3, 1e-12);
  });

  it('channelDefOf reads the first output channel_def of the metadata', () => {
    expect(channelDefOf({ network_data_format: { outputs: { pred: { channel_def: { '0': 'background' } } } } })).to.deep.equal({ '0': 'background' });
    expect(channelDefOf({})).to.equal(null);
  });
});
