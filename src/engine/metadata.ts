/**
 * Metadata verification, offline: the schema a metadata.json names in its `schema` URL is looked up by file
 * name among the copies shipped in schemas/ (MONAI's and ours), then the metadata is validated with ajv and
 * every problem is reported with its JSON path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2019Module from 'ajv/dist/2019.js';
import { BundleError, BundleErrorList } from '../errors/index.js';

/** schemas/ at the package root (two levels above src/engine or dist/engine). */
export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');

/** Schema file names as metadata URLs end, mapped to the shipped copies whose names differ. */
const ALIASES: Record<string, string> = {
  'meta_schema_20240725.json': 'monai_meta_schema_20240725.json',
};

/**
 * MONAI metadata schema versions that bundles name but whose files could not be found in any source this
 * project could read offline (the model-zoo and MONAI repositories hold only their names): not shipped, and
 * not re-created from memory. `--schema <file>` validates against a copy the user downloads.
 */
const KNOWN_UNSHIPPED = ['meta_schema_20220324.json', 'meta_schema_20220729.json'];

/** The metadata schemas shipped in schemas/ (file names), for error messages. */
export function shippedMetaSchemas(): string[] {
  if (!existsSync(SCHEMAS_DIR)) return [];
  const files = readdirSync(SCHEMAS_DIR).filter((f) => /meta_schema.*\.json$/.test(f));
  return [...files, ...Object.keys(ALIASES).filter((a) => files.includes(ALIASES[a]!))].sort();
}

/** The shipped schema file for a metadata `schema` URL (or plain file name). */
export function schemaFileFor(url: unknown, metaFile?: string): string {
  const location = { id: '_meta_::schema', ...(metaFile ? { file: metaFile } : {}), path: '/schema' };
  if (typeof url !== 'string' || url.trim() === '') {
    throw new BundleError('invalid_metadata', 'The metadata has no "schema" field naming the schema to validate against.', {
      hint: `add "schema": the URL of the schema, e.g. one ending in ${shippedMetaSchemas().join(' or ')}`,
      location,
    });
  }
  const name = url.trim().split(/[\\/]/).pop()!.split(/[?#]/)[0]!;
  const file = path.join(SCHEMAS_DIR, ALIASES[name] ?? name);
  if (KNOWN_UNSHIPPED.includes(name)) {
    throw new BundleError('invalid_metadata', `The metadata names MONAI's schema ${name}, whose file is not shipped with the interpreter.`, {
      hint: `download it from ${url} and pass it with --schema <file>, or point "schema" at one of the shipped ones: ${shippedMetaSchemas().join(', ')}`,
      location,
    });
  }
  if (!name.endsWith('.json') || !existsSync(file)) {
    throw new BundleError('invalid_metadata', `The metadata names the schema ${url}, which is not shipped with the interpreter.`, {
      hint: `schemas are checked offline against the copies in schemas/: ${shippedMetaSchemas().join(', ')}; point "schema" at one of them`,
      location,
    });
  }
  return file;
}

type Ajv2019 = InstanceType<typeof Ajv2019Module.default>;
let ajv: Ajv2019 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaFile: string): ValidateFunction {
  let validate = compiled.get(schemaFile);
  if (!validate) {
    ajv ??= new Ajv2019Module.default({ allErrors: true, strict: false });
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
    const { $id: _id, ...withoutId } = schema;
    validate = ajv.compile(withoutId);
    compiled.set(schemaFile, validate);
  }
  return validate;
}

/** Every problem of `metadata` against the schema it names, as `invalid_metadata` errors (empty: valid). */
export function metadataProblems(metadata: unknown, metaFile?: string, schemaOverride?: string): BundleError[] {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return [
      new BundleError('invalid_metadata', 'The metadata must be a JSON object.', {
        location: metaFile ? { file: metaFile } : {},
      }),
    ];
  }
  const schemaFile = schemaOverride ? givenSchema(schemaOverride) : schemaFileFor((metadata as Record<string, unknown>).schema, metaFile);
  const validate = validatorFor(schemaFile);
  if (validate(metadata)) return [];
  const schemaName = path.basename(schemaFile);
  const seen = new Set<string>();
  return relevantErrors(validate.errors ?? []).flatMap((e) => {
    const at = e.keyword === 'required' ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}` : e.instancePath;
    const what = e.keyword === 'required' ? 'is required but missing' : e.message ?? 'is invalid';
    const message = `${at || '/'} ${what} (schema ${schemaName}).`;
    if (seen.has(message)) return [];
    seen.add(message);
    return [new BundleError('invalid_metadata', message, { location: { ...(metaFile ? { file: metaFile } : {}), path: at || '/' } })];
  });
}

/**
 * ajv reports an `anyOf` failure as the failure of every branch. When some branch failed on something other
 * than the value's type (e.g. a tensor description missing "dtype"), only those failures are shown; when every
 * branch failed on the type, one line lists the types accepted.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf')) {
    // branch errors of a $ref'd branch carry the definition's schemaPath, so they are found by instancePath
    const branches = errors.filter(
      (e) => e !== anyOf && e.keyword !== 'anyOf' && (e.instancePath === anyOf.instancePath || e.instancePath.startsWith(`${anyOf.instancePath}/`)),
    );
    const specific = branches.filter((e) => e.keyword !== 'type' || e.instancePath !== anyOf.instancePath);
    for (const b of branches) if (!specific.includes(b)) drop.add(b);
    if (specific.length > 0) drop.add(anyOf);
    else {
      const types = branches.map((b) => String((b.params as { type?: unknown }).type)).filter((t, i, a) => a.indexOf(t) === i);
      anyOf.message = `must be of one of these types: ${types.join(', ')}`;
    }
  }
  return errors.filter((e) => !drop.has(e));
}

/** Throws a BundleErrorList of every problem, or returns the schema file used. */
export function verifyMetadata(metadata: unknown, metaFile?: string, schemaOverride?: string): string {
  const problems = metadataProblems(metadata, metaFile, schemaOverride);
  if (problems.length > 0) {
    throw new BundleErrorList(problems, `metadata has ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  }
  return schemaOverride ? givenSchema(schemaOverride) : schemaFileFor((metadata as Record<string, unknown>).schema, metaFile);
}

/** A schema file given on the command line (`--schema`): it must exist and be a JSON object. */
function givenSchema(file: string): string {
  const absolute = path.resolve(file);
  const where = { location: { file: absolute } };
  if (!existsSync(absolute)) throw new BundleError('usage', `The schema file ${absolute} does not exist.`, { hint: 'give the path of a JSON Schema file to --schema', ...where });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (e) {
    throw new BundleError('usage', `The schema file ${absolute} is not valid JSON: ${(e as Error).message}`, where);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BundleError('usage', `The schema file ${absolute} is not a JSON Schema object.`, where);
  return absolute;
}
