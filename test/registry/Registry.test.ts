import { expect } from 'chai';
import { Ajv } from 'ajv';
import { defaultRegistry } from '../../src/cli/registry.js';
import { BundleError } from '../../src/errors/index.js';
import { builtinEntries } from '../../src/registry/builtins.js';
import type { ComponentEntry } from '../../src/registry/ComponentEntry.js';
import { Registry } from '../../src/registry/Registry.js';
import { validateArgs } from '../../src/registry/validateArgs.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const spacing: ComponentEntry = {
  name: 'Spacingd',
  aliases: ['monai.transforms.Spacingd'],
  description: 'test entry',
  argsSchema: {
    type: 'object',
    properties: { keys: { type: 'array', items: { type: 'string' } }, pixdim: { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 }, mode: { enum: ['bilinear', 'nearest'] } },
    required: ['keys'],
    additionalProperties: false,
  },
  create: (args) => ({ built: args }),
};

describe('Registry', () => {
  const registry = new Registry([...builtinEntries, spacing]);

  it('finds an entry by name and by MONAI dotted alias', () => {
    expect(registry.get('Spacingd')).to.equal(spacing);
    expect(registry.get('monai.transforms.Spacingd')).to.equal(spacing);
    expect(registry.entries()).to.have.length(2);
  });

  it('suggests the closest names for an unknown one', () => {
    let err: BundleError | undefined;
    try {
      registry.lookup('monai.transforms.Spacing', 'pre::0');
    } catch (e) {
      err = e as BundleError;
    }
    expect(err!.kind).to.equal('unknown_target');
    expect(err!.candidates).to.include('Spacingd');
    expect(err!.location.id).to.equal('pre::0');
  });

  it('refuses a name registered by two entries', () => {
    expect(() => registry.register({ ...spacing, name: 'Other', aliases: ['Spacingd'] })).to.throw(BundleError);
  });

  it('validates arguments before building, naming the id, the argument and what was expected', async () => {
    const err = (await registry.create('Spacingd', { keys: ['image'], pixdim: [1, 1] }, { id: 'pre::1', bundleRoot: '/', logger: silent }).catch((e: unknown) => e)) as BundleError;
    expect(err).to.be.instanceOf(BundleError);
    expect(err.kind).to.equal('invalid_arguments');
    expect(err.location).to.include({ id: 'pre::1', path: '/pixdim' });
    expect(err.message).to.contain('Spacingd').and.contain('"pixdim"');
    expect(await registry.create('Spacingd', { keys: ['image'] }, { id: 'x', bundleRoot: '/', logger: silent })).to.deep.equal({ built: { keys: ['image'] } });
  });

  it('reports missing, unknown and out-of-enum arguments one by one', () => {
    const errors = validateArgs('Spacingd', spacing.argsSchema, { mode: 'cubic', roi: 1 }, 'p');
    expect(errors.map((e) => e.location.path)).to.have.members(['/keys', '/roi', '/mode']);
    expect(errors.find((e) => e.location.path === '/mode')!.message).to.contain('"bilinear", "nearest"');
  });

  it('reports a value that matches none of several forms once, naming every form', () => {
    const schema = {
      type: 'object',
      properties: {
        roi_size: { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'array', items: { type: 'integer' }, minItems: 3, maxItems: 3 }] },
        overlap: { anyOf: [{ type: 'number', minimum: 0, exclusiveMaximum: 1 }, { type: 'array', items: { type: 'number', minimum: 0 } }] },
      },
    };
    const errors = validateArgs('SlidingWindowInferer', schema, { roi_size: [96, 96], overlap: 'half' }, 'inferer');
    expect(errors.map((e) => e.message)).to.deep.equal([
      'SlidingWindowInferer: argument "roi_size" must be an integer >= 1, or a list of 3 integers.',
      'SlidingWindowInferer: argument "overlap" must be a number >= 0 and < 1, or a list of numbers (each >= 0).',
    ]);
  });

  it('builds dict as a copy of its arguments', async () => {
    const args = { a: 1 };
    const out = await registry.create('dict', args, { id: 'd', bundleRoot: '/', logger: silent });
    expect(out).to.deep.equal(args);
    expect(out).not.to.equal(args);
  });

  it('every entry of the default registry has a schema that compiles under strict ajv (union types allowed)', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
    for (const e of defaultRegistry().entries()) {
      expect(() => ajv.compile(e.argsSchema), e.name).not.to.throw();
      expect(e.description, e.name).to.be.a('string').and.not.equal('');
    }
  });
});
