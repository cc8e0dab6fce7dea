/** The named stand-ins for MONAI's code-carrying and device transforms: errors and warnings users see. */
import { expect } from 'chai';
import type { Logger } from '../../../src/registry/ComponentEntry.js';
import { validateArgs } from '../../../src/registry/validateArgs.js';
import { ConcatItemsd } from '../../../src/transforms/utility/ConcatItemsd.js';
import { ensureTypedEntry } from '../../../src/transforms/utility/EnsureTyped.js';
import { lambdadEntry } from '../../../src/transforms/utility/Lambdad.js';
import { MapLabelValued } from '../../../src/transforms/utility/MapLabelValued.js';
import { splitDimdEntry } from '../../../src/transforms/utility/SplitDimd.js';
import { toDevicedEntry } from '../../../src/transforms/utility/ToDeviced.js';
import { rejection, thrown } from '../../helpers/errors.js';
import { makeVolume } from '../volumes.js';

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug() {}, info() {}, warn: (m) => lines.push(m), error() {} };
}

describe('Lambdad', () => {
  it('is a clear error naming the transforms to use instead', async () => {
    const error = await rejection(Promise.resolve().then(() => lambdadEntry.create({ keys: 'pred', func: null }, { id: 'postprocessing::transforms::3', bundleRoot: '/', logger: recorder() })));
    expect(error.kind).to.equal('invalid_arguments');
    expect(error.message).to.contain('Python function');
    expect(error.hint).to.contain('MapLabelValued').and.contain('NanToNumd').and.contain('SplitDimd');
    expect(error.location.id).to.equal('postprocessing::transforms::3');
  });
});

describe('ToDeviced, and device on EnsureTyped / ToTensord', () => {
  it('passes the sample through and warns once that the device has no effect', async () => {
    const logger = recorder();
    const t = await toDevicedEntry.create({ keys: 'image', device: 'cuda:0' }, { id: 'pre::4', bundleRoot: '/', logger });
    const sample = { image: makeVolume([1, 2]) };
    expect(await t.apply(sample)).to.equal(sample);
    expect(logger.lines).to.have.length(1);
    expect(logger.lines[0]).to.contain('pre::4').and.contain('no effect');
    expect((await rejection(t.apply({}))).kind).to.equal('missing_key');
  });

  it('warns about a device other than the CPU given to EnsureTyped or ToDeviced, and not for none or "cpu"', async () => {
    const logger = recorder();
    await ensureTypedEntry.create({ keys: 'image' }, { id: 'pre::5', bundleRoot: '/', logger });
    await ensureTypedEntry.create({ keys: 'image', device: 'cpu' }, { id: 'pre::5', bundleRoot: '/', logger });
    await toDevicedEntry.create({ keys: 'image', device: 'cpu' }, { id: 'pre::5', bundleRoot: '/', logger });
    expect(logger.lines).to.deep.equal([]);
    await ensureTypedEntry.create({ keys: 'image', device: 'cuda' }, { id: 'pre::5', bundleRoot: '/', logger });
    expect(logger.lines[0]).to.contain('EnsureTyped device has no effect');
  });
});

describe('MapLabelValued, SplitDimd, ConcatItemsd errors', () => {
  it('rejects orig_labels and target_labels of different lengths', () => {
    expect(thrown(() => new MapLabelValued({ keys: 'seg', origLabels: [1, 2], targetLabels: [3] })).location.path).to.equal('/target_labels');
  });

  it('offers only keepdim true and list_output false (volumes keep 4 axes)', () => {
    expect(validateArgs('SplitDimd', splitDimdEntry.argsSchema, { keys: 'a', keepdim: false }, 'x')).to.have.length(1);
    expect(validateArgs('SplitDimd', splitDimdEntry.argsSchema, { keys: 'a', list_output: true }, 'x')).to.have.length(1);
    expect(validateArgs('SplitDimd', splitDimdEntry.argsSchema, { keys: 'a', dim: 1, keepdim: true }, 'x')).to.have.length(0);
  });

  it('names the item whose shape does not fit the concatenation', async () => {
    const t = new ConcatItemsd({ keys: ['a', 'b'], name: 'ab' });
    const error = await rejection(t.apply({ a: makeVolume([1, 2], [1, 2, 1, 1]), b: makeVolume([1, 2, 3], [1, 3, 1, 1]) }));
    expect(error.kind).to.equal('invalid_data');
    expect(error.message).to.contain('"b"');
  });
});
