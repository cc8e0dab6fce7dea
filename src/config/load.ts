/**
 * Loading one config file: JSON (duplicate keys are errors) or YAML 1.2 core schema (no merge keys, no
 * timestamps) into a raw value, recording the origin of every value. Keys containing `::`/`#` below the
 * top level are `invalid_key`: no id could reach them.
 */
import { createRequire } from 'node:module';
import type { Node as YamlNode } from 'yaml';
import { BundleError, type Origin } from '../errors/index.js';
import { ReadRefused, readRegularFile } from '../util/readRegularFile.js';
import { configFileType } from './bundleLayout.js';
import { parseJsonWithOrigins } from './jsonParse.js';
import type { OriginTable } from './provenance.js';
import { isContainer, setOwn } from './sigils.js';

export interface LoadedFile {
  file: string;
  value: unknown;
  /** where the file's root value starts */
  origin: Origin;
}

/** Largest config file read (bytes): configs are small; a larger one is an attack or a mistake. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Most alias expansions of a YAML document, weighted by the size of what each copies (the yaml package's maxAliasCount). */
export const MAX_YAML_ALIASES = 1000;

/** Reads and parses `file`. A missing file is `config_file_not_found`; callers rewrap for macros. */
export function loadConfigFile(file: string, origins: OriginTable): LoadedFile {
  const type = configFileType(file);
  if (!type) {
    throw new BundleError('unknown_file_type', `"${file}" is not a .json, .yaml or .yml file.`, { location: { file } });
  }
  let text: string;
  try {
    text = readRegularFile(file, MAX_CONFIG_BYTES);
  } catch (e) {
    if (e instanceof ReadRefused) {
      throw new BundleError('config_file_unreadable', `The config file "${file}" ${e.message}.`, { location: { file } });
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new BundleError('config_file_not_found', `The config file "${file}" does not exist.`, { location: { file }, cause: e });
    }
    throw new BundleError('config_file_not_found', `The config file "${file}" cannot be read (${code ?? 'error'}).`, { location: { file }, cause: e });
  }
  const value = type === 'json' ? parseJsonWithOrigins(text, file, origins) : parseYamlWithOrigins(text, file, origins);
  checkKeys(value, origins, 0);
  return { file, value, origin: { source: 'file', file, line: 1, column: 1 } };
}

function checkKeys(value: unknown, origins: OriginTable, depth: number): void {
  if (Array.isArray(value)) {
    for (const v of value) if (isContainer(v)) checkKeys(v, origins, depth + 1);
    return;
  }
  if (!isContainer(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (depth > 0 && (k.includes('::') || k.includes('#'))) {
      throw new BundleError('invalid_key', `The key "${k}" contains "::" or "#", so no id can reach it.`, {
        location: { origin: origins.get(value, k) },
      });
    }
    if (isContainer(v)) checkKeys(v, origins, depth + 1);
  }
}

// Loaded on first use: JSON-only bundles never pay for the YAML parser.
const require = createRequire(import.meta.url);
let yamlLib: typeof import('yaml') | undefined;

export function parseYamlWithOrigins(text: string, file: string, origins: OriginTable): unknown {
  yamlLib ??= require('yaml') as typeof import('yaml');
  const { isAlias, isMap, isScalar, isSeq, LineCounter } = yamlLib;
  const YAML = yamlLib;
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { schema: 'core', merge: false, uniqueKeys: true, version: '1.2', lineCounter, prettyErrors: false });
  const at = (offset: number | undefined): Origin => {
    if (offset === undefined) return { source: 'file', file };
    const p = lineCounter.linePos(offset);
    return { source: 'file', file, line: p.line, column: p.col };
  };
  if (doc.errors.length === 0 && text.includes('*')) {
    // "billion laughs": aliases of aliases expand exponentially; the yaml package counts the expansion
    try {
      doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (e) {
      if (!(e instanceof ReferenceError)) throw e;
      if (!e.message.startsWith('Excessive')) throw new BundleError('parse_error', `Invalid YAML: ${e.message}.`, { location: { file } });
      throw new BundleError('parse_error', `Invalid YAML: its aliases expand to more than ${MAX_YAML_ALIASES} copied nodes (an alias-expansion attack or a mistake).`, {
        location: { file },
        hint: 'YAML aliases (*name) may copy anchored values only a bounded number of times; write the values out or use "%id" macros',
      });
    }
  }
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const kind = err.code === 'DUPLICATE_KEY' ? 'duplicate_key' : 'parse_error';
    const first = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new BundleError(kind, kind === 'duplicate_key' ? 'A key appears twice in the same mapping.' : `Invalid YAML: ${first}.`, {
      location: { origin: at(err.pos[0]), file },
      cause: err,
    });
  }
  const walk = (node: unknown, depth: number): unknown => {
    if (node === null || node === undefined) return null;
    if (depth > 2_000) throw new BundleError('parse_error', 'Invalid YAML: nesting too deep.', { location: { file } });
    if (isAlias(node)) return walk(node.resolve(doc), depth + 1);
    if (isScalar(node)) {
      const v = node.value;
      return typeof v === 'bigint' ? Number(v) : v === undefined ? null : v;
    }
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        if (keyNode !== null && !isScalar(keyNode)) {
          throw new BundleError('parse_error', 'Invalid YAML: only scalar mapping keys are supported.', {
            location: { origin: at(keyNode.range?.[0]), file },
          });
        }
        const key = keyNode === null ? '' : String(keyNode.value ?? '');
        setOwn(obj, key, walk(pair.value, depth + 1));
        origins.set(obj, key, at(keyNode?.range?.[0]));
      }
      return obj;
    }
    if (isSeq(node)) {
      const arr: unknown[] = [];
      for (const item of node.items) {
        arr.push(walk(item, depth + 1));
        origins.set(arr, arr.length - 1, at((item as YamlNode | null)?.range?.[0]));
      }
      return arr;
    }
    throw new BundleError('parse_error', 'Invalid YAML: unsupported node.', { location: { file } });
  };
  return walk(doc.contents, 0);
}
