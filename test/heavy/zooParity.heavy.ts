/**
 * Voxel-level parity of converted model-zoo bundles with MONAI at the bundles' own network sizes: for each case
 * of test/fixtures/zoo-parity/cases.json, tools/monai/make_zoo_fixtures.py --full makes the network (seeded
 * random weights, --seed 0 --balance) and MONAI's answer into a temporary folder, then the same checks as the
 * committed small-network fixtures (test/helpers/zooParity.ts), stage-wise included. Full-size networks (about
 * 19 MB for spleen's UNet) and their raw outputs are too large to commit, so they are made here with MONAI
 * (../shared/tools/monai-python); without it the suite skips and says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath, sharedPath } from '../helpers/shared.js';
import { zooParityCases, zooParitySuite } from '../helpers/zooParity.js';

describe('zoo parity: converted bundles vs MONAI, full-size networks', function () {
  this.timeout(1_800_000);
  let made: string;
  before(() => (made = mkdtempSync(path.join(tmpdir(), 'zoo-parity-full-'))));
  after(() => made && rmSync(made, { recursive: true, force: true }));

  for (const c of zooParityCases()) {
    zooParitySuite(c, (ctx) => {
      const exe = sharedPath(ctx, 'tools', 'monai-python');
      const r = spawnSync(exe, [repoPath('tools', 'monai', 'make_zoo_fixtures.py'), '--only', c.bundle, '--full', '--out', made, '--max_raw_mb', '2000'],
        { encoding: 'utf8' });
      if (r.status !== 0) {
        if (/No module named '(torch|monai)'/.test(r.stderr)) {
          console.log(`      (skipped: MONAI or torch is not importable by ${exe})`);
          ctx.skip();
        }
        throw new Error(`make_zoo_fixtures.py --full failed:\n${r.stderr}`);
      }
      return path.join(made, c.bundle);
    });
  }
});
