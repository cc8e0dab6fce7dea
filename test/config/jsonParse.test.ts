import { expect } from 'chai';
import fc from 'fast-check';
import { parseJsonWithOrigins } from '../../src/config/jsonParse.js';
import { OriginTable } from '../../src/config/provenance.js';
import { BundleError } from '../../src/errors/index.js';

/** Our position-aware JSON reader must agree with JSON.parse on every input, except that it also refuses duplicate keys. */
const parse = (text: string): unknown => parseJsonWithOrigins(text, 'c.json', new OriginTable());

describe('parseJsonWithOrigins', () => {
  it('reads any JSON text to the same value as JSON.parse (whitespace and escapes included)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 1, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(parse(text)).to.deep.equal(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects, with a parse_error, every text JSON.parse rejects', () => {
    const jsonish = fc
      .array(fc.constantFrom('{', '}', '[', ']', ':', ',', '"', 'a', '1', '0', '-', '+', '.', 'e', ' ', '\n', 'true', 'null', '\\', 'u', '"k":'), { maxLength: 24 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(jsonish, (text) => {
        let reference: unknown;
        try {
          reference = JSON.parse(text);
        } catch {
          let ours: unknown;
          try {
            parse(text);
          } catch (e) {
            ours = e;
          }
          expect(ours, text).to.be.instanceOf(BundleError);
          expect((ours as BundleError).kind, text).to.be.oneOf(['parse_error', 'duplicate_key']);
          return;
        }
        let ours: unknown;
        try {
          ours = parse(text);
        } catch (e) {
          // the only texts we may refuse beyond JSON.parse: duplicate keys
          expect((e as BundleError).kind, text).to.equal('duplicate_key');
          return;
        }
        expect(ours, text).to.deep.equal(reference);
      }),
      { numRuns: 2000 },
    );
  });
});
