/**
 * Argument validation: one ajv instance for the process, each schema compiled once (cached by schema
 * object), ajv's errors turned into `invalid_arguments` errors naming the component id, the argument and
 * what was expected.
 */
import { createRequire } from 'node:module';
import type { Ajv as AjvType, ErrorObject, ValidateFunction } from 'ajv';
import { BundleError } from '../errors/index.js';
import type { JsonSchema } from './ComponentEntry.js';

// Not strict at run time (a schema quirk must not stop a bundle); test/registry compiles every registered
// schema strictly instead.
// Created on first use, so commands that build no component start faster.
let ajv: AjvType | undefined;
function instance(): AjvType {
  if (!ajv) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new Ajv({ allErrors: true, strict: false });
  }
  return ajv;
}
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = instance().compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/**
 * `{ type: 'object' }` (dict's schema) accepts any arguments object, so it needs no validator: a config
 * whose only components are dicts then never loads ajv, which is most of `bundle resolve`'s own start-up.
 */
function acceptsAnyObject(schema: JsonSchema): boolean {
  return Object.keys(schema).every((k) => k === 'type' || k === 'description') && schema.type === 'object';
}

/** Validates resolved arguments; returns one error per problem (empty when valid). */
export function validateArgs(name: string, schema: JsonSchema, args: Record<string, unknown>, id: string): BundleError[] {
  if (acceptsAnyObject(schema) && typeof args === 'object' && args !== null && !Array.isArray(args)) return [];
  const validate = validatorFor(schema);
  if (validate(args)) return [];
  return (validate.errors ?? []).map((e) => toBundleError(name, e, id));
}

function toBundleError(name: string, e: ErrorObject, id: string): BundleError {
  const params = e.params as Record<string, unknown>;
  let argPath = e.instancePath;
  let what: string;
  switch (e.keyword) {
    case 'required':
      argPath = `${e.instancePath}/${String(params.missingProperty)}`;
      what = 'is required';
      break;
    case 'additionalProperties':
      argPath = `${e.instancePath}/${String(params.additionalProperty)}`;
      what = 'is not an argument it accepts';
      break;
    case 'enum':
      what = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    default:
      what = e.message ?? `fails "${e.keyword}"`;
  }
  const arg = argPath === '' ? 'the arguments' : `argument "${argPath.slice(1).replace(/\//g, '.')}"`;
  return new BundleError('invalid_arguments', `${name}: ${arg} ${what}.`, {
    location: { id, path: argPath || '/' },
    hint: `fix ${arg} of ${name} (its schema is in schemas/bundle-config.schema.json)`,
  });
}
