import { expect } from 'chai';
import { composeEntry, Compose, invertThrough } from '../../src/transforms/Compose.js';
import type { Sample, Transform } from '../../src/transforms/Transform.js';
import { silentLogger } from '../../src/registry/ComponentEntry.js';
import { thrown, rejection } from './volumes.js';

const context = { id: 'preprocessing', bundleRoot: '/b', logger: silentLogger };
const append = (tag: string, invertible = true): Transform => ({
  name: tag,
  apply: (s: Sample) => ({ ...s, trace: [...((s.trace as string[]) ?? []), tag] }),
  ...(invertible ? { inverse: (s: Sample) => ({ ...s, trace: [...((s.trace as string[]) ?? []), `~${tag}`] }) } : {}),
});

describe('Compose', () => {
  it('applies its transforms in order', async () => {
    const out = await new Compose([append('a'), append('b'), append('c')]).apply({});
    expect(out.trace).to.deep.equal(['a', 'b', 'c']);
  });

  it('inverts only the invertible transforms, in reverse order, and nests', async () => {
    const inner = new Compose([append('x'), append('y', false)]);
    const out = await new Compose([append('a'), inner, append('b', false), append('c')]).inverse({});
    expect(out.trace).to.deep.equal(['~c', '~x', '~a']);
  });

  it('maps over a list of samples (map_items)', async () => {
    const out = (await new Compose([append('a')]).apply([{}, {}] as unknown as Sample)) as unknown as Sample[];
    expect(out.map((s) => s.trace)).to.deep.equal([['a'], ['a']]);
  });

  it('is created from config arguments and rejects an item that is not a transform', () => {
    const c = composeEntry.create({ transforms: [append('a')] }, context) as Compose;
    expect(c.transforms).to.have.length(1);
    expect((composeEntry.create({ transforms: null }, context) as Compose).transforms).to.deep.equal([]);
    const e = thrown(() => composeEntry.create({ transforms: [append('a'), { keys: 'image' } as never] }, context));
    expect(e.kind).to.equal('invalid_arguments');
    expect(e.location.path).to.equal('/transforms/1');
  });

  it('invertThrough refuses a transform without an inverse', async () => {
    expect((await rejection(invertThrough(append('a', false), {}))).kind).to.equal('not_invertible');
  });
});
