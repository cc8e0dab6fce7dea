import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tfjsToOnnx, type ConvertOptions } from '../../../src/inference/convert/toOnnx.js';
import { readTfjsModel } from '../../../src/inference/convert/tfjsModel.js';
import { hasShared, repoPath, sharedPath } from '../../helpers/shared.js';

/** the options each committed file was converted with (see the folder's README) */
const COMMITTED: Record<string, ConvertOptions> = { model5_gw_ae: { computeInFileOrder: true }, model18cls: {}, mindgrab: {} };

describe('converted MeshNet models in examples/brain-meshnet/models', () => {
  for (const [name, options] of Object.entries(COMMITTED)) {
    it(`${name}.onnx is reproduced byte for byte by the converter`, async function () {
      const source = sharedPath(this, 'data', 'models', 'tfjs', name, 'model.json');
      const { bytes } = tfjsToOnnx(await readTfjsModel(source), options);
      const committed = readFileSync(repoPath('examples', 'brain-meshnet', 'models', `${name}.onnx`));
      expect(Buffer.from(bytes).equals(committed), `${name}.onnx differs from a fresh conversion; re-run the command in the README`).to.equal(true);
    });
  }

  it('every brainchop model in ../shared converts (layer classes and activations all handled)', async function () {
    const root = sharedPath(this, 'data', 'models', 'tfjs');
    const folders = readdirSync(root).filter((f) => hasShared('data', 'models', 'tfjs', f, 'model.json'));
    expect(folders.length).to.be.greaterThan(0);
    for (const folder of folders) {
      const model = await readTfjsModel(path.join(root, folder, 'model.json'));
      const { summary } = tfjsToOnnx(model);
      expect(summary.inChannels, folder).to.equal(1);
      expect(summary.outChannels, folder).to.be.greaterThan(1);
    }
  });
});
