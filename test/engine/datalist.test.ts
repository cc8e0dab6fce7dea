import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/index.js';
import { datalistArguments, loadDecathlonDatalist } from '../../src/engine/datalist.js';
import { engineFunctions } from '../../src/engine/functions.js';
import { Registry } from '../../src/registry/Registry.js';
import { builtinEntries } from '../../src/registry/builtins.js';
import { TmpDirs } from '../config/tmpBundle.js';
import { rejection, thrown } from '../helpers/errors.js';
import { repoPath } from '../helpers/shared.js';
import { monaiCases } from '../helpers/monaiCases.js';

describe('$load_decathlon_datalist', () => {
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());
  const cwd = process.cwd();
  before(() => process.chdir(repoPath())); // the MONAI reference paths are relative to the repository
  after(() => process.chdir(cwd));

  describe('against MONAI 1.5 (test/fixtures/monai/load_decathlon_datalist.json)', () => {
    for (const c of monaiCases('load_decathlon_datalist')) {
      it(`gives MONAI's items with ${c.name}`, () => {
        expect(loadDecathlonDatalist(c.input.file, c.args as never)).to.deep.equal(c.output);
      });
    }
  });

  it('is an expression function taking MONAI\'s positional arguments or one options object', async () => {
    const dir = tmp.bundle({ 'configs/c.json': {
      file: repoPath('test/fixtures/monai/datalist/datalist.json'),
      by_position: "$$load_decathlon_datalist(@file, true, 'validation')",
      by_options: "$$load_decathlon_datalist(@file, {'data_list_key': 'test', 'base_dir': '/data'})",
    } });
    const config = await loadConfig({ configFiles: [path.join(dir, 'configs/c.json')], registry: new Registry(builtinEntries), functions: engineFunctions() });
    expect(await config.resolve('by_position')).to.deep.equal([{ image: repoPath('test/fixtures/monai/datalist/imgs/c.nii.gz') }]);
    expect(await config.resolve('by_options')).to.deep.equal([{ image: '/data/imgs/d.nii.gz' }, { image: '/abs/e.nii.gz' }]);
  });

  it('names the missing list and the lists the file has', () => {
    const error = thrown(() => loadDecathlonDatalist('test/fixtures/monai/datalist/datalist.json', { data_list_key: 'testing' }));
    expect(error.kind).to.equal('missing_key');
    expect(error.message).to.contain('"testing"');
    expect(error.hint).to.contain('"training"').and.contain('"test"');
  });

  it('says the datalist file is missing, and rejects unknown options', () => {
    expect(thrown(() => loadDecathlonDatalist('no/such/datalist.json')).kind).to.equal('config_file_not_found');
    expect(thrown(() => datalistArguments([{ datalist_key: 'x' }])).message).to.contain('"datalist_key"');
    expect(thrown(() => datalistArguments(['yes'])).message).to.contain('is_segmentation');
  });

  it('reports an expression error for a bad call through the config', async () => {
    const dir = tmp.bundle({ 'configs/c.json': { bad: "$$load_decathlon_datalist('nope.json')" } });
    const config = await loadConfig({ configFiles: [path.join(dir, 'configs/c.json')], registry: new Registry(builtinEntries), functions: engineFunctions() });
    expect((await rejection(config.resolve('bad'))).message).to.contain('nope.json');
  });

  it('obeys the root rule: a datalist outside the bundle and the named folders is refused, special files are never read', () => {
    const inside = repoPath('test/fixtures/monai/datalist');
    const confinement = { roots: [inside], allowOutside: false };
    expect(loadDecathlonDatalist(path.join(inside, 'datalist.json'), {}, confinement)).to.have.length.above(0);
    const outside = thrown(() => loadDecathlonDatalist(repoPath('package.json'), {}, confinement));
    expect(outside.kind).to.equal('outside_root');
    expect(outside.message).to.contain('package.json');
    const special = thrown(() => loadDecathlonDatalist('/proc/self/environ', {}, { roots: ['/'], allowOutside: false }));
    expect(special.message).to.contain('special file system');
  });
});
