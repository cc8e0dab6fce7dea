/**
 * Voxel-level parity of converted model-zoo bundles with MONAI. For each bundle: `bundle convert` on its
 * configs (test/fixtures/zoo), tools/monai/export_network.py with seeded random weights (--seed 0 --balance,
 * the same state dict saved for MONAI), tools/monai/reference.py (MONAI's ConfigParser and transforms, the
 * engine loop restated), then `bundle run` on the shared CT. Required: shape and affine exact, at least
 * 99.99% of voxels equal, each difference a near-tie of MONAI's probabilities; and, stage-wise, MONAI's raw
 * network output fed into our postprocessing gives MONAI's output exactly.
 * The networks (about 19 MB for spleen's UNet) are too large to commit, so they are made here with MONAI
 * (../shared/tools/monai-python); without it the suite skips and says so.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultRegistry } from '../../src/cli/registry.js';
import { loadConfig } from '../../src/config/index.js';
import { convertMonaiBundle } from '../../src/convert/convertMonaiBundle.js';
import { tensorToVolume } from '../../src/engine/tensors.js';
import { readNifti } from '../../src/image/index.js';
import type { Volume } from '../../src/image/Volume.js';
import type { Transform } from '../../src/transforms/Transform.js';
import { bundleCli } from '../cli/bundleCli.js';
import { repoPath, sharedPath } from '../helpers/shared.js';

interface Case {
  bundle: string;
  config: string;
  image: string[];
  /** the datalist value given to both pipelines (for the bundle's `datalist` id) */
  datalist: (image: string) => unknown;
  /** output file name MONAI and we write under <output_dir>/<stem>/ */
  output: string;
}

const CT = ['data', 'ct', 'totalseg_example_ct_sm.nii.gz'];
const paths = (image: string) => [image];

const CASES: Case[] = [
  { bundle: 'spleen_ct_segmentation', config: 'inference.json', image: CT, datalist: paths, output: 'totalseg_example_ct_sm_trans.nii.gz' },
  // Not yet at parity, so not listed: wholeBody_ct_segmentation (run by hand: shape and affine exact but only
  // 97.93% of voxels equal, cause not located; its argmax comes before Invertd, so probs_0 is not in output
  // space and the near-tie check above does not apply as written); pediatric_abdominal_ct_segmentation
  // (converted and checked, { config: 'inference.yaml', datalist: dicts }, not yet run).
];
const only = process.env.ZOO_PARITY ? process.env.ZOO_PARITY.split(',') : undefined;

function python(ctx: Mocha.Context, args: string[]): string {
  const exe = sharedPath(ctx, 'tools', 'monai-python');
  const r = spawnSync(exe, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    if (/No module named '(torch|monai)'/.test(r.stderr)) {
      console.log(`      (skipped: MONAI or torch is not importable by ${exe})`);
      ctx.skip();
    }
    throw new Error(`${args[0]} failed:\n${r.stderr}`);
  }
  return r.stdout;
}

function readF32(file: string): { shape: number[]; data: Float32Array } {
  const { shape } = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { shape: number[] };
  const bytes = readFileSync(`${file}.f32`);
  return { shape, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
}

function differences(ours: Volume, monai: Volume): number[] {
  const out: number[] = [];
  for (let i = 0; i < monai.data.length; i++) if (ours.data[i] !== monai.data[i]) out.push(i);
  return out;
}

describe('zoo parity: converted bundles vs MONAI', function () {
  this.timeout(900_000);

  for (const c of CASES.filter((c) => !only || only.includes(c.bundle))) {
    describe(c.bundle, () => {
      let work: string;
      let image: string;
      const src = repoPath('test', 'fixtures', 'zoo', c.bundle);
      const monaiOut = () => path.join(work, 'ref', 'monai', path.basename(image).replace(/\.nii(\.gz)?$/, ''), c.output);

      before(function () {
        image = sharedPath(this, ...c.image);
        work = mkdtempSync(path.join(tmpdir(), `zoo-parity-${c.bundle}-`));
        const registry = defaultRegistry();
        const summary = convertMonaiBundle(src, path.join(work, 'converted'), { knownTarget: (n) => registry.has(n) });
        expect(summary.problems).to.deep.equal([]);
        const weights = path.join(work, 'weights.pt');
        python(this, [repoPath('tools', 'monai', 'export_network.py'), src, '--config', c.config, '--seed', '0', '--balance', '--save_weights', weights,
          '--out', path.join(work, 'converted', 'models', 'model.onnx')]);
        python(this, [repoPath('tools', 'monai', 'reference.py'), src, '--config', c.config, '--weights', weights,
          '--set', `datalist=${JSON.stringify(c.datalist(image))}`, '--out', path.join(work, 'ref')]);
      });
      after(() => work && rmSync(work, { recursive: true, force: true }));

      it('bundle run gives MONAI\'s segmentation: same shape and affine, >= 99.99% voxels equal, differences near-ties', async () => {
        const out = path.join(work, 'ours');
        const r = await bundleCli(['run', '--config_file', path.join(work, 'converted', 'configs', c.config),
          '--datalist', JSON.stringify(c.datalist(image)), '--output_dir', out, '--quiet']);
        expect(r.code, r.stderr).to.equal(0);
        const ours = await readNifti(path.join(out, path.basename(path.dirname(monaiOut())), c.output));
        const monai = await readNifti(monaiOut());
        expect(ours.shape).to.deep.equal(monai.shape);
        expect(ours.affine).to.deep.equal(monai.affine);
        const diff = differences(ours, monai);
        console.log(`      ${c.bundle}: ${diff.length} of ${monai.data.length} voxels differ`);
        expect(diff.length / monai.data.length).to.be.at.most(1e-4);
        // a difference must be a near-tie: MONAI's two best class probabilities within 1e-3
        const probs = readF32(path.join(work, 'ref', 'probs_0'));
        const k = probs.shape[0]!;
        const n = probs.data.length / k;
        for (const i of diff) {
          const p = Array.from({ length: k }, (_, ch) => probs.data[ch * n + i]!).sort((a, b) => b - a);
          expect(p[0]! - p[1]!, `voxel ${i}`).to.be.below(1e-3);
        }
      });

      it('MONAI\'s raw network output through our postprocessing gives MONAI\'s output exactly', async () => {
        const out = path.join(work, 'stagewise');
        const config = await loadConfig({
          configFiles: [path.join(work, 'converted', 'configs', c.config)],
          registry: defaultRegistry(),
          overrides: [{ id: 'output_dir', value: out }],
        });
        const pre = (await config.resolve('preprocessing')) as Transform;
        const post = (await config.resolve('postprocessing')) as Transform;
        const sample = await pre.apply({ image });
        const imageVolume = sample.image as Volume;
        const raw = readF32(path.join(work, 'ref', 'raw_0'));
        const pred = tensorToVolume({ type: 'float32', dims: [1, ...raw.shape], data: raw.data }, imageVolume);
        await post.apply({ ...sample, pred });
        const ours = await readNifti(path.join(out, path.basename(path.dirname(monaiOut())), c.output));
        const monai = await readNifti(monaiOut());
        expect(ours.shape).to.deep.equal(monai.shape);
        expect(ours.affine).to.deep.equal(monai.affine);
        expect(differences(ours, monai)).to.deep.equal([]);
      });
    });
  }
});
