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
    ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
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
  return withoutBranchDetails(validate.errors ?? []).map((e) => toBundleError(name, e, id));
}

/**
 * A value that matches none of a oneOf/anyOf's forms makes ajv report every form's own failure too ("must
 * be integer", "must be array", ...); keep only the oneOf/anyOf error, which says all the forms at once.
 */
function withoutBranchDetails(errors: ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => !unions.some((prefix) => e.schemaPath.startsWith(prefix)));
}

/** A short English description of what a (sub)schema accepts, for messages. */
export function describeSchema(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'a value';
  const s = schema as Record<string, any>;
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
  const union = s.oneOf ?? s.anyOf;
  if (Array.isArray(union)) return union.map(describeSchema).join(', or ');
  const bounds = [
    s.minimum !== undefined ? `>= ${s.minimum}` : '',
    s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : '',
    s.maximum !== undefined ? `<= ${s.maximum}` : '',
    s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : '',
  ].filter(Boolean);
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const one = (t: string): string => {
    switch (t) {
      case 'integer':
      case 'number':
        return `${t === 'integer' ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
      case 'array': {
        const n = s.minItems !== undefined && s.minItems === s.maxItems ? `${s.minItems} ` : '';
        const items = s.items && !Array.isArray(s.items) && typeof s.items === 'object' ? (s.items as Record<string, any>) : {};
        const nouns: Record<string, string> = { integer: 'integers', number: 'numbers', string: 'strings', boolean: 'booleans' };
        const noun = typeof items.type === 'string' && nouns[items.type] ? nouns[items.type] : 'values';
        const each = noun === 'values' && Object.keys(items).length ? describeSchema(items) : describeSchema(items).replace(/^(an integer|a number|a string|true or false) ?/, '');
        return `a list of ${n}${noun}${each && each !== 'a value' ? ` (each ${each})` : ''}`;
      }
      case 'string':
        return 'a string';
      case 'boolean':
        return 'true or false';
      case 'object':
        return 'an object';
      case 'null':
        return 'null';
      default:
        return t;
    }
  };
  return types.length ? types.map(one).join(' or ') : 'a value';
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
    case 'oneOf':
    case 'anyOf':
      what = `must be ${describeSchema({ [e.keyword]: e.schema })}`;
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
