/** MapLabelValued, ConcatItemsd, SplitDimd and ToTensord against MONAI 1.5 outputs (every key, shape, dtype, affine). */
import { expect } from 'chai';
import type { Mat4, Volume } from '../../../src/image/Volume.js';
import type { ComponentEntry } from '../../../src/registry/ComponentEntry.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import type { Transform } from '../../../src/transforms/Transform.js';
import { concatItemsdEntry } from '../../../src/transforms/utility/ConcatItemsd.js';
import { mapLabelValuedEntry } from '../../../src/transforms/utility/MapLabelValued.js';
import { splitDimdEntry } from '../../../src/transforms/utility/SplitDimd.js';
import { toTensordEntry } from '../../../src/transforms/utility/ToTensord.js';
import { expectArray, isMonaiArray, monaiCases, volumeOf, type MonaiArray } from '../../helpers/monaiCases.js';

const context = { id: 'preprocessing::transforms::2', bundleRoot: '/', logger: silentLogger };

for (const entry of [mapLabelValuedEntry, concatItemsdEntry, splitDimdEntry, toTensordEntry] as ComponentEntry[]) {
  describe(`${entry.name} against MONAI 1.5 (test/fixtures/monai/${entry.name}.json)`, () => {
    for (const c of monaiCases(entry.name)) {
      it(`${c.name}: ${JSON.stringify(c.args)}`, async () => {
        const t = (await entry.create(c.args, context)) as Transform;
        const input = Object.fromEntries(Object.entries(c.input).map(([k, v]) => [k, volumeOf(v as MonaiArray)]));
        const out = await t.apply(input);
        expect(Object.keys(out).sort()).to.deep.equal(Object.keys(c.output).sort());
        const affines = (c as unknown as { affine: Record<string, Mat4> }).affine;
        for (const [key, expected] of Object.entries(c.output)) {
          if (!isMonaiArray(expected)) continue;
          const v = out[key] as Volume;
          expect(v.dtype, `${key} dtype`).to.equal(expected.dtype);
          expectArray(v, expected, 0, key);
          expect(v.affine, `${key} affine`).to.deep.equal(affines[key]);
        }
      });
    }
  });
}
