/** CropForegroundd's padding modes, margin, k_divisible and allow_smaller against MONAI 1.5 outputs. */
import { expect } from 'chai';
import type { Volume } from '../../../src/image/Volume.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { cropForegrounddEntry, type CropForegroundd } from '../../../src/transforms/crop/CropForegroundd.js';
import { expectArray, monaiCases, volumeOf, type MonaiArray } from '../../helpers/monaiCases.js';

const context = { id: 'preprocessing::transforms::5', bundleRoot: '/', logger: silentLogger };

describe('CropForegroundd against MONAI 1.5 (test/fixtures/monai/CropForegroundd.json)', () => {
  for (const c of monaiCases('CropForegroundd')) {
    const tolerance = JSON.stringify(c.args).includes('"mean"') ? 1e-6 : 0;
    it(`${c.name}: box and values ${tolerance ? `within ${tolerance} (np.mean sums in float32)` : 'exact'}`, async () => {
      const t = (await cropForegrounddEntry.create(c.args as never, context)) as CropForegroundd;
      const input = Object.fromEntries(Object.entries(c.input).map(([k, v]) => [k, volumeOf(v as MonaiArray)]));
      const out = await t.apply(input);
      expect(out.foreground_start_coord).to.deep.equal((c.output.foreground_start_coord as MonaiArray).data);
      expect(out.foreground_end_coord).to.deep.equal((c.output.foreground_end_coord as MonaiArray).data);
      for (const key of Object.keys(c.input)) expectArray(out[key] as Volume, c.output[key] as MonaiArray, tolerance, `${c.name} ${key}`);
    });
  }

  it('rejects a padding mode MONAI does not have, naming the argument', async () => {
    const { validateArgs } = await import('../../../src/registry/validateArgs.js');
    const errors = validateArgs('CropForegroundd', cropForegrounddEntry.argsSchema, { keys: 'image', source_key: 'image', mode: 'nearest' }, 'crop');
    expect(errors.map((e) => e.message).join(' ')).to.contain('mode');
  });
});
