import { expect } from 'chai';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { defaultRegistry } from '../../src/cli/registry.js';
import { configSchema } from '../../src/registry/configSchema.js';
import { repoPath } from '../helpers/shared.js';

describe('configSchema', () => {
  const schema = configSchema(defaultRegistry());

  it('matches the committed schemas/bundle-config.schema.json (run `bundle schema` after changing the registry)', () => {
    const committed = JSON.parse(readFileSync(repoPath('schemas', 'bundle-config.schema.json'), 'utf8'));
    expect(committed).to.deep.equal(JSON.parse(JSON.stringify(schema)));
  });

  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

  it('accepts a config that uses references, expressions, macros and registered targets', () => {
    const ok = {
      $schema: './schemas/bundle-config.schema.json',
      n: 3,
      d: { _target_: 'dict', k: '@n', l: ['$@n + 1', '%n'] },
      off: { _target_: 'builtins.dict', _disabled_: true, _desc_: 'x' },
    };
    expect(validate(ok), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('rejects an unknown target name and an invalid _mode_', () => {
    expect(validate({ a: { _target_: 'NoSuchThing' } })).to.equal(false);
    expect(validate({ a: { _target_: 'dict', _mode_: 'partial' } })).to.equal(false);
  });
});
