import { expect } from 'chai';
import { BundleError } from '../../../src/errors/index.js';
import { EVERYTHING_LABELS } from '../../../src/apps/vista3d/labels.js';
import { checkClicksInside, validatePrompts, type PromptInput } from '../../../src/apps/vista3d/prompts.js';

function rejects(input: PromptInput, message: string, everything: readonly number[] | null = EVERYTHING_LABELS): void {
  let caught: unknown;
  try {
    validatePrompts(input, everything);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected "${message}"`).to.be.instanceOf(BundleError);
  expect((caught as BundleError).kind).to.equal('invalid_prompt');
  expect((caught as BundleError).message).to.equal(message);
}

describe('validatePrompts', () => {
  it('row 1: no prompt runs everything mode with the 117 ids in ascending order', () => {
    const prompts = validatePrompts({}, EVERYTHING_LABELS);
    expect(prompts.everything).to.equal(true);
    expect(prompts.labelPrompt).to.have.length(117);
    expect(prompts.labelPrompt).to.deep.equal([...prompts.labelPrompt!].sort((a, b) => a - b));
    expect(prompts.points).to.equal(null);
  });

  it('row 2: no prompt and no everything labels is refused', () => {
    rejects({}, 'Prompt must be given for inference.', null);
  });

  it('row 3: point_labels alone are ignored and everything mode runs', () => {
    const prompts = validatePrompts({ point_labels: [1] }, EVERYTHING_LABELS);
    expect(prompts.everything).to.equal(true);
    expect(prompts.pointLabels).to.equal(null);
  });

  it('row 4: a label prompt that is not a list is refused', () => {
    rejects({ label_prompt: 25 }, 'Label prompt must be a list, [1,2,3,4,...,].');
  });

  it('row 5: a nested list is refused', () => {
    rejects({ label_prompt: [[25, 26, 27]] }, 'Label prompt must be a list of single scalar, [1,2,3,4,...,].');
  });

  it('row 6: ids of 255 and above are refused, with or without clicks', () => {
    rejects({ label_prompt: [255] }, 'Current bundle only supports label prompt smaller than 255.');
    rejects({ label_prompt: [3, 256] }, 'Current bundle only supports label prompt smaller than 255.');
    rejects({ label_prompt: [255], points: [[1, 2, 3]], point_labels: [1] }, 'Current bundle only supports label prompt smaller than 255.');
  });

  it('row 7: unsupported, zero, negative and zero-shot ids without clicks are refused', () => {
    for (const id of [16, 18, 129, 130, 131, 0, -1, 133, 200, 254]) {
      rejects({ label_prompt: [3, id] }, 'Undefined label prompt detected. Provide point prompts for zero-shot.');
    }
  });

  it('row 8: points without point labels are refused', () => {
    rejects({ points: [[1, 2, 3]] }, 'Point labels must be given if points are given.');
  });

  it('row 9: a point without exactly three coordinates is refused', () => {
    rejects({ points: [[1, 2]], point_labels: [1] }, 'Points must be three dimensional (x,y,z) in the shape of [[x,y,z],...,[x,y,z]].');
    rejects({ points: [[1, 2, 3, 4]], point_labels: [1] }, 'Points must be three dimensional (x,y,z) in the shape of [[x,y,z],...,[x,y,z]].');
  });

  it('row 10: points and point labels of different lengths are refused', () => {
    rejects({ points: [[1, 2, 3], [4, 5, 6]], point_labels: [1] }, 'Points must match point labels.');
  });

  it('row 11: click labels outside -1..3 are refused', () => {
    rejects({ points: [[1, 2, 3]], point_labels: [4] }, 'Point labels can only be -1,0,1 and 2,3 for special flags.');
    rejects({ points: [[1, 2, 3]], point_labels: [-2] }, 'Point labels can only be -1,0,1 and 2,3 for special flags.');
  });

  it('row 12: several label prompts with clicks are refused', () => {
    rejects({ label_prompt: [3, 5], points: [[1, 2, 3]], point_labels: [1] }, 'Label prompt can only be a single object if provided with point prompts.');
  });

  it('row 13: label prompt with point labels but no points is refused', () => {
    rejects({ label_prompt: [3], point_labels: [1] }, 'Points must be given if point labels are given.');
  });

  it('row 14 (our decision): a subclass expansion with clicks names the parent class and a subclass to use', () => {
    let caught: BundleError | undefined;
    try {
      validatePrompts(
        { label_prompt: [14, 5], points: [[1, 2, 3]], point_labels: [1], expansions: [{ id: 2, name: 'kidney', ids: [14, 5] }] },
        EVERYTHING_LABELS,
      );
    } catch (e) {
      caught = e as BundleError;
    }
    expect(caught?.kind).to.equal('invalid_prompt');
    expect(caught?.message).to.contain('2 (kidney)').and.contain('2 subclasses').and.contain('single object');
    expect(caught?.hint).to.contain('[14]');
  });

  it('row 22: an unsupported id with clicks is accepted', () => {
    const prompts = validatePrompts({ label_prompt: [16], points: [[1, 2, 3]], point_labels: [1] }, EVERYTHING_LABELS);
    expect(prompts.labelPrompt).to.deep.equal([16]);
    expect(prompts.points).to.deep.equal([[1, 2, 3]]);
  });

  it('row 23: a zero-shot id with clicks is accepted', () => {
    expect(validatePrompts({ label_prompt: [136], points: [[1, 2, 3]], point_labels: [1] }, null).labelPrompt).to.deep.equal([136]);
  });

  it('row 45: duplicate prompts are accepted', () => {
    expect(validatePrompts({ label_prompt: [3, 3, 14] }, null).labelPrompt).to.deep.equal([3, 3, 14]);
  });

  it('row 46 (our decision): an empty label prompt is refused', () => {
    rejects({ label_prompt: [] }, 'Label prompt is empty.');
  });

  it('our decision: ids 0 and negatives are refused with clicks too', () => {
    rejects({ label_prompt: [0], points: [[1, 2, 3]], point_labels: [1] }, 'Label prompt 0 is not a class id.');
    rejects({ label_prompt: [-5], points: [[1, 2, 3]], point_labels: [1] }, 'Label prompt -5 is not a class id.');
  });

  it('our decision: an empty click list is refused', () => {
    rejects({ points: [], point_labels: [] }, 'Points are empty.');
  });

  it('float click coordinates are accepted', () => {
    expect(validatePrompts({ points: [[1.5, 2, 3.25]], point_labels: [1] }, null).points).to.deep.equal([[1.5, 2, 3.25]]);
  });
});

describe('checkClicksInside', () => {
  it('row 57: a click outside the image is refused naming the click and the image shape', () => {
    expect(() => checkClicksInside([[10, 5, 5], [100, 2, 3]], [100, 90, 40], 'image'))
      .to.throw(BundleError, 'Click [100, 2, 3] lies outside the image, whose shape is [100, 90, 40].');
    expect(() => checkClicksInside([[-1, 2, 3]], [100, 90, 40], 'image')).to.throw(BundleError, 'Click [-1, 2, 3]');
  });

  it('clicks on the first and last voxel are inside', () => {
    expect(() => checkClicksInside([[0, 0, 0], [99, 89, 39]], [100, 90, 40], 'image')).not.to.throw();
  });

  it('a click that rounds outside the cropped network volume is refused', () => {
    expect(() => checkClicksInside([[51.6, 3, 3]], [52, 47, 66], 'network')).to.throw(BundleError, 'foreground crop');
    expect(() => checkClicksInside([[51.4, -0.5, 3]], [52, 47, 66], 'network')).not.to.throw();
  });
});
