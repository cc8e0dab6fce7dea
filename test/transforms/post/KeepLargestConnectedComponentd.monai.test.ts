/** applied_labels, independent, is_onehot, connectivity and num_components against MONAI 1.5 outputs. */
import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { keepLargestConnectedComponentdEntry, type KeepLargestConnectedComponentd } from '../../../src/transforms/post/KeepLargestConnectedComponentd.js';
import { expectArray, monaiCases, volumeOf, type MonaiArray } from '../../helpers/monaiCases.js';

const context = { id: 'postprocessing::transforms::1', bundleRoot: '/', logger: silentLogger };

describe('KeepLargestConnectedComponentd against MONAI 1.5 (test/fixtures/monai/KeepLargestConnectedComponentd.json)', () => {
  for (const c of monaiCases('KeepLargestConnectedComponentd')) {
    it(`${c.name}: every voxel equal`, async () => {
      const t = (await keepLargestConnectedComponentdEntry.create(c.args as never, context)) as KeepLargestConnectedComponentd;
      const input = volumeOf(c.input.pred as MonaiArray);
      const out = (await t.apply({ pred: input })).pred as Volume;
      expectArray(out, c.output.pred as MonaiArray, 0, c.name);
      expect(out.dtype).to.equal('float32');
    });
  }
});
