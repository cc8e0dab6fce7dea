import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { BundleError, BundleErrorList } from '../../src/errors/index.js';
import { metadataProblems, schemaFileFor, shippedMetaSchemas, verifyMetadata } from '../../src/engine/metadata.js';
import { scaffoldMetadata } from '../../src/engine/initBundle.js';
import { repoPath } from '../helpers/shared.js';

/** MONAI's VISTA3D metadata (as shipped by model-zoo, trimmed to the fields the schema reads). */
function monaiMetadata(): Record<string, any> {
  return JSON.parse(readFileSync(repoPath('test/fixtures/engine/metadata_monai.json'), 'utf8'));
}

describe('verifyMetadata', () => {
  it('accepts a MONAI model-zoo metadata.json against the shipped copy of the schema it names', () => {
    expect(metadataProblems(monaiMetadata())).to.deep.equal([]);
    expect(verifyMetadata(monaiMetadata())).to.match(/schemas\/monai_meta_schema_20240725\.json$/);
  });

  it('accepts the metadata init_bundle writes, against our own schema', () => {
    expect(verifyMetadata(scaffoldMetadata('demo'))).to.match(/schemas\/bundle_meta_schema_v1\.json$/);
  });

  it('reports every problem with its JSON path', () => {
    const meta = monaiMetadata();
    delete meta.authors;
    meta.version = 5;
    delete meta.network_data_format.inputs.image.dtype;
    const problems = metadataProblems(meta, 'configs/metadata.json');
    expect(problems.map((p) => p.location.path)).to.deep.equal(['/authors', '/version', '/network_data_format/inputs/image/dtype']);
    expect(problems.every((p) => p.kind === 'invalid_metadata' && p.location.file === 'configs/metadata.json')).to.equal(true);
    expect(problems[1]!.message).to.contain('must be string');
    expect(() => verifyMetadata(meta)).to.throw(BundleErrorList);
  });

  it('says which types fit when a network input is of none of them', () => {
    const meta = monaiMetadata();
    meta.network_data_format.inputs.image = [1];
    const [problem] = metadataProblems(meta);
    expect(problem!.location.path).to.equal('/network_data_format/inputs/image');
    expect(problem!.message).to.contain('number, integer, string, boolean, object');
  });

  it('refuses an unknown schema URL, listing the shipped ones', () => {
    expect(() => schemaFileFor('https://example.org/meta_schema_19990101.json')).to.throw(BundleError, /not shipped/);
    try {
      schemaFileFor('https://example.org/meta_schema_19990101.json');
    } catch (e) {
      expect((e as BundleError).hint).to.contain('meta_schema_20240725.json').and.contain('bundle_meta_schema_v1.json');
    }
    expect(shippedMetaSchemas()).to.include('monai_meta_schema_20240725.json');
  });

  it('requires the schema field', () => {
    const meta = monaiMetadata();
    delete meta.schema;
    expect(() => metadataProblems(meta)).to.throw(BundleError, /no "schema" field/);
  });
});
