import { expect } from 'chai';
import { closestNames } from '../../src/util/closest.js';

describe('util/closest', () => {
  it('suggests names within a small edit distance, nearest first', () => {
    expect(closestNames('LoadImagedd', ['LoadImaged', 'SaveImaged', 'Spacingd'])).to.deep.equal(['LoadImaged', 'SaveImaged']);
  });

  it('suggests a longer name whose start the typo resembles', () => {
    expect(closestNames('pach', ['patch_size', 'sw_batch_size', 'image_key'])).to.deep.equal(['patch_size']);
  });

  it('suggests a dotted name by its last part', () => {
    expect(closestNames('Spacingd', ['monai.transforms.Spacingd', 'Orientationd'])).to.deep.equal(['monai.transforms.Spacingd']);
  });

  it('does not take a short name for the start of an unrelated longer one', () => {
    expect(closestNames('run', ['runn', 'bundle_root'])).to.deep.equal(['runn']);
  });

  it('suggests nothing for an unrelated name', () => {
    expect(closestNames('zzz', ['patch_size', 'image_key'])).to.deep.equal([]);
  });
});
