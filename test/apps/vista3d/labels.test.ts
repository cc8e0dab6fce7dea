import { expect } from 'chai';
import { CHANNEL_DEF, DEFAULT_SUBCLASS, EVERYTHING_LABELS, LabelNames, isSupportedWithoutPoints } from '../../../src/apps/vista3d/labels.js';

describe('labels', () => {
  it('the label dict has background and 132 classes', () => {
    expect(Object.keys(CHANNEL_DEF)).to.have.length(133);
    expect(CHANNEL_DEF['0']).to.equal('background');
    expect(CHANNEL_DEF['3']).to.equal('spleen');
    expect(CHANNEL_DEF['132']).to.equal('airway');
  });

  it('everything mode has 117 ids: 1, 3-15, 17, 19, 22, 28-127', () => {
    const expected = [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 19, 22];
    for (let id = 28; id <= 127; id++) expected.push(id);
    expect(EVERYTHING_LABELS).to.deep.equal(expected);
  });

  it('row 17: bone expands to 62 ids without vertebrae S1 (127) or L6 (131)', () => {
    const bone = DEFAULT_SUBCLASS['21']!;
    expect(bone).to.have.length(62);
    expect(bone).not.to.include(127);
    expect(bone).not.to.include(131);
    expect(bone.slice(0, 3)).to.deep.equal([33, 34, 35]);
    expect(bone.slice(-3)).to.deep.equal([114, 120, 122]);
  });

  it('supported ids without clicks are 1-132 except the five unsupported', () => {
    const supported = Array.from({ length: 300 }, (_, i) => i - 20).filter(isSupportedWithoutPoints);
    expect(supported).to.have.length(127);
    for (const id of [0, 16, 18, 129, 130, 131, 133, 2.5]) expect(isSupportedWithoutPoints(id), String(id)).to.equal(false);
  });
});

describe('LabelNames', () => {
  it('row 18: names are matched case-insensitively', () => {
    expect(new LabelNames(CHANNEL_DEF).toIds(['Spleen', 'LIVER', 'background'])).to.deep.equal([3, 1, 0]);
  });

  it('row 19: unknown names get new ids 133, 134, ... that stay registered on the instance', () => {
    const names = new LabelNames(CHANNEL_DEF);
    expect(names.toIds(['Spleen', 'new thing', 'kidney'])).to.deep.equal([3, 133, 2]);
    expect(names.toIds(['other thing', 'New Thing'])).to.deep.equal([134, 133]);
  });

  it('row 20: digit strings are ids, "-1" is a name', () => {
    const names = new LabelNames(CHANNEL_DEF);
    expect(names.toIds(['3', 14, '-1'])).to.deep.equal([3, 14, 133]);
  });
});
