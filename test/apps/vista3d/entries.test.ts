import { Ajv } from 'ajv';
import { expect } from 'chai';
import { vista3dEntries } from '../../../src/apps/vista3d/entries.js';

describe('vista3dEntries', () => {
  it('registers the VISTA3D components under their bundle names and MONAI/model-zoo aliases', () => {
    const names = vista3dEntries.flatMap((e) => [e.name, ...(e.aliases ?? [])]);
    expect(new Set(names).size).to.equal(names.length);
    for (const name of [
      'VistaPreTransformd',
      'monai.apps.vista3d.transforms.VistaPreTransformd',
      'monai.apps.vista3d.transforms.VistaPostTransformd',
      'scripts.inferer.Vista3dInferer',
      'scripts.evaluator.Vista3dEvaluator',
      'Vista3dNetwork',
    ]) {
      expect(names).to.include(name);
    }
  });

  it('has argument schemas that compile under strict ajv and accept the original inference.json arguments', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    const schema = (name: string) => ajv.compile(vista3dEntries.find((e) => e.name === name)!.argsSchema);
    for (const entry of vista3dEntries) expect(() => ajv.compile(entry.argsSchema), entry.name).not.to.throw();
    expect(schema('VistaPreTransformd')({ keys: 'image', subclass: { '2': [14, 5] }, labels_dict: { '0': 'background' } })).to.equal(true);
    expect(schema('Vista3dInferer')({ roi_size: [128, 128, 128], overlap: 0.25, sw_batch_size: 1, use_point_window: true })).to.equal(true);
    expect(schema('Vista3dInferer')({ roi_size: [128, 128, 128], overlapp: 0.25 })).to.equal(false);
    const evaluator = schema('Vista3dEvaluator');
    expect(evaluator({ device: 'cpu', val_data_loader: {}, network: {}, inferer: {}, postprocessing: {}, val_handlers: [], amp: true, hyper_kwargs: { user_prompt: true, everything_labels: [1, 3] } })).to.equal(true);
    expect(evaluator({ val_data_loader: {}, network: {}, inferer: {}, hyper_kwargs: { everything_labels: [1] } })).to.equal(false);
  });
});
