/**
 * Voxel-level parity of converted model-zoo bundles with MONAI. For each bundle: `bundle convert` on its
 * configs (test/fixtures/zoo), tools/monai/export_network.py with seeded random weights (--seed 0 --balance,
 * the same state dict saved for MONAI), tools/monai/reference.py (MONAI's ConfigParser and transforms, the
 * engine loop restated), then `bundle run` on the shared CT (or a block of the shared T1 for an MR bundle).
 * Required: shape and affine exact, at least 99.99% of voxels equal (a case may allow more, with its reason), each difference a near-tie of MONAI's
 * probabilities (mapped through the inverse when they are in network space); and, stage-wise, MONAI's raw
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
import type { Sample, Transform } from '../../src/transforms/Transform.js';
import { silentLogger } from '../../src/registry/ComponentEntry.js';
import { bundleCli } from '../cli/bundleCli.js';
import { repoPath, sharedPath } from '../helpers/shared.js';
import { t1Block } from '../helpers/zooInputs.js';

interface Case {
  bundle: string;
  config: string;
  image: string[];
  /** the datalist value given to both pipelines (for the bundle's `datalist` id) */
  datalist: (image: string) => unknown;
  /** output file name MONAI and we write under <output_dir>/<stem>/ */
  output: string;
  /** makes the input from the shared image (e.g. a crop where the bundle's grid would be too large) */
  derive?: (source: string, work: string) => Promise<string>;
  /** ids `bundle convert` cannot translate and the test overrides anyway (e.g. a pandas datalist) */
  untranslated?: string[];
  /** fraction of voxels allowed to differ (default 1e-4, the 99.99%); larger only with the reason beside it */
  maxDiffering?: number;
  /** export_network.py's --tolerance (default 1e-3); larger only with the reason beside it */
  exportTolerance?: number;
  /** whether the bundle's Invertd maps labels back with nearest (default) or its own interpolation */
  nearestInverse?: boolean;
}

const CT = ['data', 'ct', 'totalseg_example_ct_sm.nii.gz'];
const T1 = ['data', 'brain', 'brainchop_t1_crop_conformed.nii.gz'];
const paths = (image: string) => [image];

const CASES: Case[] = [
  // (spleen, segmentation_template, pediatric and swin are in test/fixtures/zoo-parity/cases.json, checked by
  // test/heavy/zooParity.heavy.ts; the two below need what that framework does not have yet: a derived input,
  // an untranslated datalist, near-ties mapped through the inverse)
  // argmax before Invertd: MONAI's probabilities are in network space, near-ties are mapped through the inverse.
  { bundle: 'wholeBody_ct_segmentation', config: 'inference.json', image: CT, datalist: paths, output: 'totalseg_example_ct_sm_trans.nii.gz' },
  // a T1 block for an MR bundle (T2-trained); its pandas datalist is overridden; labels inverted bilinearly
  { bundle: 'prostate_mri_anatomy', config: 'inference.json', image: T1, datalist: paths, output: 't1_block_trans.nii.gz', derive: t1Block, untranslated: ['datalist'], nearestInverse: false },
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

/** The converted bundle's preprocessing (for stage-wise checks and for mapping network space to output space). */
async function preprocess(work: string, c: Case, image: string): Promise<{ pre: Transform; sample: Sample }> {
  const config = await loadConfig({ configFiles: [path.join(work, 'converted', 'configs', c.config)], registry: defaultRegistry() });
  const pre = (await config.resolve('preprocessing')) as Transform;
  return { pre, sample: await pre.apply({ image }) };
}

/**
 * Per output voxel: whether a voxel it comes from is a near-tie of MONAI's probabilities (two best classes
 * within 1e-3). Probabilities in network space (argmax before Invertd) are mapped through the bundle's
 * inverse: a near-tie indicator inverted with nearest (each output voxel has one source voxel) or with the
 * bundle's interpolation (positive where any tap is a near-tie).
 */
async function nearTies(probs: { shape: number[]; data: Float32Array }, output: Volume, nearest: boolean, network: () => Promise<{ pre: Transform; sample: Sample }>): Promise<boolean[]> {
  const k = probs.shape[0]!;
  const n = probs.data.length / k;
  const tie = new Float32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let second = -Infinity;
    for (let ch = 0; ch < k; ch++) {
      const p = probs.data[ch * n + i]!;
      if (p > best) [best, second] = [p, best];
      else if (p > second) second = p;
    }
    if (best - second < 1e-3) tie[i] = 1;
    count += tie[i]!;
  }
  console.log(`      ${count} of ${n} voxels are near-ties in MONAI's probabilities`);
  if (probs.shape.slice(1).join() === output.shape.slice(1).join()) return Array.from(tie, (t) => t > 0);
  const { pre, sample } = await network();
  const context = { id: 'near-ties', bundleRoot: '/', logger: silentLogger };
  const invert = (await defaultRegistry().get('Invertd')!.create({ keys: 'tie', transform: pre, orig_keys: 'image', nearest_interp: nearest }, context)) as Transform;
  const volume = tensorToVolume({ type: 'float32', dims: [1, 1, ...probs.shape.slice(1)], data: tie }, sample.image as Volume, 'tie');
  const inverted = (await invert.apply({ ...sample, tie: volume })).tie as Volume;
  expect(inverted.shape).to.deep.equal([1, ...output.shape.slice(1)]);
  return Array.from(inverted.data, (t) => t > 0);
}

describe('zoo parity: wholeBody and prostate vs MONAI at full size (networks made at run time)', function () {
  this.timeout(900_000);

  for (const c of CASES.filter((c) => !only || only.includes(c.bundle))) {
    describe(c.bundle, () => {
      let work: string;
      let image: string;
      const src = repoPath('test', 'fixtures', 'zoo', c.bundle);
      const monaiOut = () => path.join(work, 'ref', 'monai', path.basename(image).replace(/\.nii(\.gz)?$/, ''), c.output);

      before(async function () {
        image = sharedPath(this, ...c.image);
        work = mkdtempSync(path.join(tmpdir(), `zoo-parity-${c.bundle}-`));
        if (c.derive) image = await c.derive(image, work);
        const registry = defaultRegistry();
        const summary = convertMonaiBundle(src, path.join(work, 'converted'), { knownTarget: (n) => registry.has(n) });
        expect(summary.problems.map((p) => p.id)).to.deep.equal(c.untranslated ?? []);
        const weights = path.join(work, 'weights.pt');
        python(this, [repoPath('tools', 'monai', 'export_network.py'), src, '--config', c.config, '--seed', '0', '--balance', '--tolerance', String(c.exportTolerance ?? 1e-3), '--save_weights', weights,
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
        // a difference must be a near-tie: MONAI's two best class probabilities within 1e-3 at the voxel(s) the
        // output voxel comes from (mapped through the inverse when the bundle takes argmax before Invertd)
        const nearTie = await nearTies(readF32(path.join(work, 'ref', 'probs_0')), monai, c.nearestInverse ?? true, () => preprocess(work, c, image));
        for (const i of diff) expect(nearTie[i], `voxel ${i}: not a near-tie in MONAI's probabilities`).to.equal(true);
        expect(diff.length / monai.data.length).to.be.at.most(c.maxDiffering ?? 1e-4);
      });

      it('MONAI\'s raw network output through our postprocessing gives MONAI\'s output exactly', async () => {
        const out = path.join(work, 'stagewise');
        const config = await loadConfig({
          configFiles: [path.join(work, 'converted', 'configs', c.config)],
          registry: defaultRegistry(),
          overrides: [{ id: 'output_dir', value: out }],
        });
        const post = (await config.resolve('postprocessing')) as Transform;
        const sample = await (await preprocess(work, c, image)).pre.apply({ image });
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
