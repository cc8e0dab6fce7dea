/**
 * Converted model-zoo bundles give MONAI's segmentation, without Python: the small networks and MONAI's
 * answers are committed in test/fixtures/zoo-parity (made by tools/monai/make_zoo_fixtures.py; see its
 * README). Needs a build (`npm run build`) and the shared images (../shared). Full-size networks:
 * test/heavy/zooParity.heavy.ts.
 */
import path from 'node:path';
import { ZOO_PARITY_DIR, zooParityCases, zooParitySuite } from '../helpers/zooParity.js';

describe('zoo parity: converted bundles vs MONAI, committed small networks', function () {
  this.timeout(300_000);
  for (const c of zooParityCases()) {
    zooParitySuite(c, (ctx) => {
      if (c.not_committed) {
        console.log(`      (skipped: ${c.bundle} has no committed fixture: ${c.not_committed})`);
        ctx.skip();
      }
      return path.join(ZOO_PARITY_DIR, c.bundle);
    });
  }
});
