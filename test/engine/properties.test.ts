import { expect } from 'chai';
import { BundleErrorList } from '../../src/errors/index.js';
import { checkProperties, INFER_PROPERTIES } from '../../src/engine/properties.js';
import type { Logger } from '../../src/registry/ComponentEntry.js';
import { rawConfig } from './fakes.js';


const complete = {
  bundle_root: '.', network_def: {}, inferer: {}, dataset: { transform: '@preprocessing' }, evaluator: { postprocessing: '@postprocessing' },
  preprocessing: {}, postprocessing: {},
};

describe('checkProperties', () => {
  it('accepts a config with every required property', () => {
    expect(() => checkProperties(rawConfig(complete))).not.to.throw();
  });

  it('accepts network for network_def and dataloader for dataset', () => {
    const { network_def: _n, dataset: _d, ...rest } = complete;
    expect(() => checkProperties(rawConfig({ ...rest, network: {}, dataloader: {} }))).not.to.throw();
  });

  it('reports every missing required property at once', () => {
    let error: unknown;
    try {
      checkProperties(rawConfig({ bundle_root: '.' }));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BundleErrorList);
    const list = error as BundleErrorList;
    expect(list.errors.map((e) => e.kind)).to.deep.equal(['missing_property', 'missing_property', 'missing_property', 'missing_property']);
    expect(list.errors.map((e) => e.location.id)).to.deep.equal(['network_def', 'inferer', 'dataset', 'evaluator']);
    expect(list.errors[0]!.message).to.contain('"network_def" (or "network")');
    expect(list.exitCode).to.equal(1);
  });

  it('warns when an optional property is defined but the component that uses it does not refer to it', () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} };
    checkProperties(rawConfig({ ...complete, evaluator: { postprocessing: '@post2' } }), logger);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('evaluator::postprocessing').and.contain('@postprocessing');
  });

  it('lists the optional properties of MONAI\'s InferProperties', () => {
    expect(INFER_PROPERTIES.filter((p) => !p.required).map((p) => p.name)).to.deep.equal(['preprocessing', 'postprocessing', 'handlers']);
  });
});
