import { expect } from 'chai';
import { CHANNEL_DEF, DEFAULT_SUBCLASS } from '../../../src/apps/vista3d/labels.js';
import { EXPANSIONS_KEY } from '../../../src/apps/vista3d/prompts.js';
import { VistaPreTransformd, vistaPreTransformdEntry } from '../../../src/apps/vista3d/VistaPreTransformd.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';

function bundleTransform(): VistaPreTransformd {
  return new VistaPreTransformd({ keys: 'image', subclass: DEFAULT_SUBCLASS, labelsDict: CHANNEL_DEF });
}

describe('VistaPreTransformd', () => {
  it('row 15: kidney [2] becomes its subclasses [14, 5] and records the expansion', () => {
    const out = bundleTransform().apply({ image: 'x', label_prompt: [2] });
    expect(out.label_prompt).to.deep.equal([14, 5]);
    expect(out[EXPANSIONS_KEY]).to.deep.equal([{ id: 2, name: 'kidney', ids: [14, 5] }]);
  });

  it('row 16: lung [20] becomes the five lobes 28-32', () => {
    expect(bundleTransform().apply({ label_prompt: [20] }).label_prompt).to.deep.equal([28, 29, 30, 31, 32]);
  });

  it('row 17: bone [21] becomes the 62 bone ids, in place, keeping order and duplicates', () => {
    const out = bundleTransform().apply({ label_prompt: [3, 21, 3] }).label_prompt as number[];
    expect(out).to.have.length(64);
    expect(out[0]).to.equal(3);
    expect(out.at(-1)).to.equal(3);
    expect(out.slice(1, 63)).to.deep.equal(DEFAULT_SUBCLASS['21']);
  });

  it('rows 18-20: names (any case), unknown names and digit strings become ids', () => {
    const t = bundleTransform();
    expect(t.apply({ label_prompt: ['Spleen', 'new thing', 'kidney'] }).label_prompt).to.deep.equal([3, 133, 14, 5]);
    expect(t.apply({ label_prompt: ['another new thing', '3'] }).label_prompt).to.deep.equal([134, 3]);
  });

  it('row 21: clicks for a special class (first id in 25, 26, 27, 28, 29, 117) get labels 2/3, -1 unchanged', () => {
    for (const id of [25, 26, 27, 28, 29, 117]) {
      expect(bundleTransform().apply({ label_prompt: [id], point_labels: [1, 0, -1] }).point_labels).to.deep.equal([3, 2, -1]);
    }
    expect(bundleTransform().apply({ label_prompt: ['hepatic vessel'], point_labels: [1] }).point_labels).to.deep.equal([3]);
    expect(bundleTransform().apply({ label_prompt: [3], point_labels: [1, 0] }).point_labels).to.deep.equal([1, 0]);
  });

  it('leaves a prompt that is not a list for validation to report, with a warning', () => {
    const warnings: string[] = [];
    const t = new VistaPreTransformd({ keys: 'image', subclass: DEFAULT_SUBCLASS, logger: { ...silentLogger, warn: (m) => warnings.push(m) } });
    expect(t.apply({ label_prompt: 25, point_labels: [1] })).to.deep.equal({ label_prompt: 25, point_labels: [1] });
    expect(warnings).to.have.length(1);
  });

  it('does not modify the input sample and ignores samples without label_prompt', () => {
    const sample = { image: 'x', label_prompt: [2], point_labels: [1] };
    bundleTransform().apply(sample);
    expect(sample).to.deep.equal({ image: 'x', label_prompt: [2], point_labels: [1] });
    expect(bundleTransform().apply({ image: 'x', points: [[1, 2, 3]] })).to.deep.equal({ image: 'x', points: [[1, 2, 3]] });
  });

  it('is created from bundle arguments by its registry entry', async () => {
    const t = (await vistaPreTransformdEntry.create(
      { keys: 'image', subclass: { '2': [14, 5] }, labels_dict: { '0': 'background', '2': 'kidney' } },
      { id: 'pre', bundleRoot: '/', logger: silentLogger },
    )) as VistaPreTransformd;
    expect(t.apply({ label_prompt: ['Kidney'] }).label_prompt).to.deep.equal([14, 5]);
  });
});
