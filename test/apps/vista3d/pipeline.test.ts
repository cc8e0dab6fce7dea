/**
 * The VISTA3D chain in process, as inference.json wires it: Spacingd -> CropForegroundd -> VistaPreTransformd ->
 * ScaleIntensityRanged -> Orientationd, Vista3dEvaluator, then VistaPostTransformd -> Invertd -> NaN to 255.
 * The input is an LPS-oriented CT-like volume: air (-1000 HU) around a box of "body" whose scaled value is
 * 0.5, which the fake class head calls class 100 (0.5 = 100 / 200).
 */
import { expect } from 'chai';
import { CHANNEL_DEF, DEFAULT_SUBCLASS } from '../../../src/apps/vista3d/labels.js';
import { Vista3dEvaluator } from '../../../src/apps/vista3d/Vista3dEvaluator.js';
import { Vista3dInferer } from '../../../src/apps/vista3d/Vista3dInferer.js';
import { VistaPostTransformd } from '../../../src/apps/vista3d/VistaPostTransformd.js';
import { VistaPreTransformd } from '../../../src/apps/vista3d/VistaPreTransformd.js';
import type { Volume } from '../../../src/image/Volume.js';
import { Compose } from '../../../src/transforms/Compose.js';
import { CropForegroundd } from '../../../src/transforms/crop/CropForegroundd.js';
import { NanToNumd } from '../../../src/transforms/intensity/NanToNumd.js';
import { ScaleIntensityRanged } from '../../../src/transforms/intensity/ScaleIntensityRanged.js';
import { Invertd } from '../../../src/transforms/post/Invertd.js';
import { Orientationd } from '../../../src/transforms/spatial/Orientationd.js';
import { Spacingd } from '../../../src/transforms/spatial/Spacingd.js';
import type { Sample } from '../../../src/transforms/Transform.js';
import { fakeVista, P } from './fakeNetwork.js';

const A_MIN = -963.8247715525971;
const A_MAX = 1053.678477684517;
const SHAPE = [30, 26, 20] as const;
const BODY = { lo: [8, 6, 4], hi: [22, 20, 16] };
const inBody = (x: number, y: number, z: number) => [x, y, z].every((c, a) => c >= BODY.lo[a]! && c < BODY.hi[a]!);

function ct(): Volume {
  const [X, Y, Z] = SHAPE;
  const data = new Float32Array(X * Y * Z);
  const body = A_MIN + 0.5 * (A_MAX - A_MIN);
  for (let x = 0; x < X; x++) for (let y = 0; y < Y; y++) for (let z = 0; z < Z; z++) data[(x * Y + y) * Z + z] = inBody(x, y, z) ? body : -1000;
  const affine = [
    [-2, 0, 0, 30],
    [0, -2, 0, 20],
    [0, 0, 2, -10],
    [0, 0, 0, 1],
  ];
  return { data, dtype: 'float32', shape: [1, ...SHAPE], affine, meta: { originalAffine: affine.map((r) => r.slice()), originalSpatialShape: [...SHAPE] }, appliedOperations: [] };
}

async function run(prompts: Sample): Promise<Volume> {
  const preprocessing = new Compose([
    new Spacingd({ keys: 'image', pixdim: [2, 2, 2], mode: 'bilinear' }),
    new CropForegroundd({ keys: 'image', sourceKey: 'image', margin: 2, allowSmaller: true }),
    new VistaPreTransformd({ keys: 'image', subclass: DEFAULT_SUBCLASS, labelsDict: CHANNEL_DEF }),
    new ScaleIntensityRanged({ keys: 'image', aMin: A_MIN, aMax: A_MAX, bMin: 0, bMax: 1, clip: true }),
    new Orientationd({ keys: 'image', axcodes: 'RAS' }),
  ]);
  const postprocessing = new Compose([
    new VistaPostTransformd({ keys: 'pred' }),
    new Invertd({ keys: 'pred', transform: preprocessing, origKeys: 'image', nearestInterp: true }),
    new NanToNumd({ keys: 'pred', nan: 255 }),
  ]);
  const sample = await preprocessing.apply({ image: ct(), ...prompts });
  const evaluator = new Vista3dEvaluator({
    valDataLoader: [sample],
    network: fakeVista().network,
    inferer: new Vista3dInferer({ roiSize: [P, P, P], usePointWindow: true }),
    postprocessing,
    hyperKwargs: { user_prompt: true, everything_labels: [100] },
  });
  let output: Sample | undefined;
  evaluator.addHandler({ onEvent: (e) => void (e.name === 'iteration_completed' && (output = e.state.sample)) });
  await evaluator.run();
  return output!.pred as Volume;
}

const at = (v: Volume, x: number, y: number, z: number) => v.data[(x * SHAPE[1] + y) * SHAPE[2] + z]!;

describe('VISTA3D chain (preprocessing, evaluator, post-processing, inversion)', () => {
  it('a label prompt comes back on the original grid: the id inside the body, 0 elsewhere', async () => {
    const pred = await run({ label_prompt: [100] });
    expect(pred.shape).to.deep.equal([1, ...SHAPE]);
    expect(pred.affine).to.deep.equal(ct().affine);
    expect(at(pred, 10, 10, 10)).to.equal(100);
    expect(at(pred, 21, 19, 15)).to.equal(100);
    expect(at(pred, 2, 2, 2)).to.equal(0);
    expect(at(pred, 7, 10, 10)).to.equal(0);
  });

  it('rows 39/40: clicks only: 1 around the click, 255 where no window ran inside the crop box, 0 outside it', async () => {
    // crop box: body ± 2 = x [6, 24), y [4, 22), z [2, 18): 18 x 18 x 16 network voxels; one 16³ window
    const pred = await run({ points: [[9, 8, 10]], point_labels: [1] });
    expect(pred.shape).to.deep.equal([1, ...SHAPE]);
    expect(at(pred, 9, 8, 10)).to.equal(1);
    expect(at(pred, 9, 8, 13)).to.equal(0); // in the window, outside the ball
    const values = new Set(Array.from(pred.data));
    expect([...values].sort((a, b) => a - b)).to.deep.equal([0, 1, 255]);
    for (let x = 0; x < SHAPE[0]; x++) for (let y = 0; y < SHAPE[1]; y++) for (let z = 0; z < SHAPE[2]; z++) {
      const inCrop = x >= 6 && x < 24 && y >= 4 && y < 22 && z >= 2 && z < 18;
      if (!inCrop) expect(at(pred, x, y, z), `${x},${y},${z}`).to.equal(0);
    }
  });
});
