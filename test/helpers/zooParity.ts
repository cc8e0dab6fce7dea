/**
 * The zoo-parity checks, one piece of code for the committed small-network fixtures (test/convert/zooParity.test.ts,
 * in `npm test`) and for full-size networks made at run time with MONAI (test/heavy/zooParity.heavy.ts).
 * A fixture folder is what tools/monai/make_zoo_fixtures.py writes: model.onnx, MONAI's segmentation.nii.gz,
 * margin.f32.gz (MONAI's top-1 minus top-2 probability per voxel, in output space or, where the argmax comes before
 * Invertd, in network space), raw.f32.gz (MONAI's raw network
 * output; absent where too large to commit) and provenance.json.
 * Per case: `bundle convert` (the built CLI) on test/fixtures/zoo/<bundle>, the fixture's model.onnx dropped
 * in, `bundle run` on the shared image; shape and affine exact, >= 99.99% voxels equal, every difference a
 * near-tie (network-space near-ties mapped through the bundle's inverse); and, stage-wise, MONAI's raw output through our postprocessing gives MONAI's output exactly.
 */
import { expect } from 'chai';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { defaultRegistry } from '../../src/cli/registry.js';
import { loadConfig } from '../../src/config/index.js';
import { tensorToVolume } from '../../src/engine/tensors.js';
import { readNifti } from '../../src/image/index.js';
import type { Volume } from '../../src/image/Volume.js';
import type { Sample, Transform } from '../../src/transforms/Transform.js';
import { silentLogger } from '../../src/registry/ComponentEntry.js';
import { bundleCli } from '../cli/bundleCli.js';
import { repoPath, sharedPath } from './shared.js';
import { caseDatalist, type CaseImage, imageDir, inRepoImage, type ZooCase, zooCases } from './zooCases.js';

export { ZOO_PARITY_DIR } from './zooCases.js';

interface Provenance {
  /**
   * `decision`: how MONAI's first AsDiscreted decided (absent in fixtures made before thresholds were handled: argmax);
   * `space`: where the margins are (network space when the decision comes before Invertd; absent: output)
   */
  margin: { shape: number[]; cap: number; decision?: { argmax: true } | { threshold: number }; space?: 'output' | 'network' };
  raw: { shape: number[]; absent?: string };
}

/**
 * A near-tie: MONAI's two best class probabilities are closer than this (argmax bundles), or a channel's
 * probability is this close to the threshold (threshold bundles); margin.f32.gz holds the distance per voxel.
 */
export const NEAR_TIE = 1e-3;

/** The cases of cases.json, narrowed by ZOO_PARITY=bundle,bundle when set. */
export function zooParityCases(): ZooCase[] {
  return zooCases(process.env.ZOO_PARITY?.split(','));
}

function readF32Gz(file: string): Float32Array {
  const bytes = gunzipSync(readFileSync(file));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function differences(ours: Volume, monai: Volume): number[] {
  const out: number[] = [];
  for (let i = 0; i < monai.data.length; i++) if (ours.data[i] !== monai.data[i]) out.push(i);
  return out;
}

async function expectSameGeometry(oursFile: string, monaiFile: string): Promise<{ ours: Volume; monai: Volume }> {
  expect(existsSync(oursFile), `${oursFile} was not written`).to.equal(true);
  const [ours, monai] = await Promise.all([readNifti(oursFile), readNifti(monaiFile)]);
  expect(ours.shape).to.deep.equal(monai.shape);
  expect(ours.affine).to.deep.equal(monai.affine);
  return { ours, monai };
}

/** The ids `bundle convert` printed as not translated. */
function untranslatedIds(stdout: string): string[] {
  return [...stdout.matchAll(/^\s*not translated: \S+ (\S+):/gm)].map((m) => m[1]!).sort();
}

/**
 * Per output voxel: whether a voxel it comes from is a near-tie of MONAI's probabilities. Margins in network
 * space (argmax before Invertd) are mapped through the bundle's preprocessing inverse: a near-tie indicator
 * inverted with nearest (each output voxel has one source voxel) or with the bundle's own interpolation
 * (positive where any tap is a near-tie).
 */
async function nearTies(margin: Float32Array, provenance: Provenance, output: Volume, nearest: boolean, network: () => Promise<{ pre: Transform; sample: Sample }>): Promise<boolean[]> {
  const tie = Float32Array.from(margin, (m) => (m < NEAR_TIE ? 1 : 0));
  if ((provenance.margin.space ?? 'output') === 'output') return Array.from(tie, (t) => t > 0);
  const { pre, sample } = await network();
  const context = { id: 'near-ties', bundleRoot: '/', logger: silentLogger };
  const invert = (await defaultRegistry().get('Invertd')!.create({ keys: 'tie', transform: pre, orig_keys: 'image', nearest_interp: nearest }, context)) as Transform;
  const volume = tensorToVolume({ type: 'float32', dims: [1, 1, ...provenance.margin.shape], data: tie }, sample.image as Volume, 'tie');
  const inverted = (await invert.apply({ ...sample, tie: volume })).tie as Volume;
  expect(inverted.shape).to.deep.equal([1, ...output.shape.slice(1)]);
  return Array.from(inverted.data, (t) => t > 0);
}

/**
 * Defines the mocha suite of one case. `fixture` returns the case's fixture folder (for the heavy test it makes
 * it with MONAI first, and may skip); it runs in `before`, with the suite's context.
 */
export function zooParitySuite(c: ZooCase, fixture: (ctx: Mocha.Context) => string): void {
  describe(c.bundle, () => {
    let work: string;
    let image: CaseImage;
    let dir: string;
    let provenance: Provenance;
    const config = () => path.join(work, 'converted', 'configs', c.config);
    const loadConverted = (out: string) => loadConfig({ configFiles: [config()], registry: defaultRegistry(), overrides: [
      { id: 'output_dir', value: out },
      ...(c.image_dir_ids ?? []).map((id) => ({ id, value: imageDir(image) })),
    ] });
    const preprocess = async () => {
      const pre = (await (await loadConverted(path.join(work, 'unused'))).resolve('preprocessing')) as Transform;
      return { pre, sample: await pre.apply({ image }) };
    };

    before(async function () {
      image = inRepoImage(c) ?? sharedPath(this, ...c.image!.split('/'));
      dir = fixture(this);
      provenance = JSON.parse(readFileSync(path.join(dir, 'provenance.json'), 'utf8')) as Provenance;
      work = mkdtempSync(path.join(tmpdir(), `zoo-parity-${c.bundle}-`));
      const r = await bundleCli(['convert', repoPath('test', 'fixtures', 'zoo', c.bundle), path.join(work, 'converted'), ...(c.untranslated ? ['--allow-partial'] : [])]);
      expect(r.code, r.stderr + r.stdout).to.equal(0);
      expect(untranslatedIds(r.stdout), 'ids bundle convert left untranslated').to.deep.equal([...(c.untranslated ?? [])].sort());
      copyFileSync(path.join(dir, 'model.onnx'), path.join(work, 'converted', 'models', 'model.onnx'));
    });
    after(() => work && rmSync(work, { recursive: true, force: true }));

    it(`bundle run gives MONAI's segmentation: same shape and affine, >= 99.99% voxels equal, differences near-ties (< ${NEAR_TIE})`, async () => {
      const out = path.join(work, 'ours');
      const r = await bundleCli(['run', '--config_file', config(), `--${c.datalist_id ?? 'datalist'}`, JSON.stringify(caseDatalist(c, image)),
        ...(c.image_dir_ids ?? []).flatMap((id) => [`--${id}`, imageDir(image)]), '--output_dir', out, '--quiet']);
      expect(r.code, r.stderr).to.equal(0);
      const { ours, monai } = await expectSameGeometry(path.join(out, c.output), path.join(dir, 'segmentation.nii.gz'));
      const diff = differences(ours, monai);
      const margin = readF32Gz(path.join(dir, 'margin.f32.gz'));
      expect(margin.length, 'margin.f32.gz has one value per voxel of provenance margin.shape').to.equal(provenance.margin.shape.reduce((a, b) => a * b, 1));
      const tie = await nearTies(margin, provenance, monai, c.nearest_inverse ?? true, preprocess);
      const ties = diff.filter((i) => tie[i]).length;
      const decision = provenance.margin.decision ?? { argmax: true };
      const what = 'threshold' in decision ? `a channel within ${NEAR_TIE} of the threshold ${decision.threshold}` : `top-2 probabilities within ${NEAR_TIE}`;
      console.log(`      ${c.bundle}: ${diff.length} of ${monai.data.length} voxels differ, ${ties} of them near-ties (${what}; ${tie.filter(Boolean).length} output voxels are)`);
      expect(diff.length / monai.data.length).to.be.at.most(1e-4);
      expect(diff.filter((i) => !tie[i]).map((i) => `voxel ${i}: not a near-tie in MONAI's probabilities`)).to.deep.equal([]);
    });

    it('MONAI\'s raw network output through our postprocessing gives MONAI\'s output exactly', async function () {
      if (provenance.raw.absent) {
        console.log(`      (skipped: ${provenance.raw.absent}; the heavy test test/heavy/zooParity.heavy.ts checks it with MONAI)`);
        this.skip();
      }
      const out = path.join(work, 'stagewise');
      const loaded = await loadConverted(out);
      const pre = (await loaded.resolve('preprocessing')) as Transform;
      const post = (await loaded.resolve('postprocessing')) as Transform;
      const sample = await pre.apply({ image });
      const raw = readF32Gz(path.join(dir, 'raw.f32.gz'));
      const pred = tensorToVolume({ type: 'float32', dims: [1, ...provenance.raw.shape], data: raw }, sample.image as Volume);
      await post.apply({ ...sample, pred });
      const { ours, monai } = await expectSameGeometry(path.join(out, c.output), path.join(dir, 'segmentation.nii.gz'));
      expect(differences(ours, monai)).to.deep.equal([]);
    });
  });
}
