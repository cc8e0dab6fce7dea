/**
 * `$load_decathlon_datalist(path[, is_segmentation][, data_list_key][, base_dir])`: MONAI's
 * monai.data.load_decathlon_datalist for expressions. JSONata has no keyword arguments, so the arguments
 * are MONAI's in MONAI's order, or the path and one object of them:
 * `"$$load_decathlon_datalist(@datalist_file, {'data_list_key': 'validation', 'base_dir': @dataset_dir})"`
 * (the first `$` marks the expression).
 *
 * As MONAI: the file's `data_list_key` list (default "training"); a "test" list of bare paths becomes
 * [{"image": path}]; `image` (and `label` when is_segmentation) are joined to base_dir (default: the
 * datalist's folder) and normalised; any other string or list of strings is joined only when the joined
 * path exists. Relative paths (the datalist's and base_dir) resolve against the current directory, as
 * `$glob`'s folder and MONAI do.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BundleError } from '../errors/index.js';
import { ReadRefused, readRegularFile } from '../util/readRegularFile.js';
import { insideCheck, type GlobConfinement } from './glob.js';

/** A datalist is JSON text; larger files are refused before they are read. */
const MAX_DATALIST_BYTES = 64 * 1024 * 1024;

export interface DatalistOptions {
  is_segmentation?: boolean;
  data_list_key?: string;
  base_dir?: string | null;
}

const OPTION_NAMES = ['is_segmentation', 'data_list_key', 'base_dir'];
const usage = "write $load_decathlon_datalist(@datalist_file, {'data_list_key': 'validation'}) or MONAI's positional order (path, is_segmentation, data_list_key, base_dir)";

/** The expression function's arguments as options: positional, or (path, {options}). */
export function datalistArguments(rest: unknown[]): DatalistOptions {
  if (rest.length === 1 && typeof rest[0] === 'object' && rest[0] !== null && !Array.isArray(rest[0])) {
    const options = rest[0] as Record<string, unknown>;
    const unknown = Object.keys(options).filter((k) => !OPTION_NAMES.includes(k));
    if (unknown.length) throw bad(`got unknown option ${unknown.map((k) => `"${k}"`).join(', ')}; it takes ${OPTION_NAMES.join(', ')}.`);
    return check(options);
  }
  const [is_segmentation, data_list_key, base_dir] = rest;
  return check({ is_segmentation, data_list_key, base_dir });
}

function check(o: Record<string, unknown>): DatalistOptions {
  if (o.is_segmentation !== undefined && typeof o.is_segmentation !== 'boolean') throw bad('is_segmentation must be true or false.');
  if (o.data_list_key !== undefined && typeof o.data_list_key !== 'string') throw bad('data_list_key must be a string.');
  if (o.base_dir !== undefined && o.base_dir !== null && typeof o.base_dir !== 'string') throw bad('base_dir must be a folder path or null.');
  return o as DatalistOptions;
}

function bad(message: string, file?: string): BundleError {
  return new BundleError('invalid_arguments', `$load_decathlon_datalist: ${message}`, { hint: usage, location: file ? { file } : undefined });
}

export function loadDecathlonDatalist(file: unknown, options: DatalistOptions = {}, confinement?: GlobConfinement): Array<Record<string, unknown>> {
  if (typeof file !== 'string' || file === '') throw bad('the first argument must be the path of the datalist JSON file.');
  const key = options.data_list_key ?? 'training';
  const absolute = path.resolve(file);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new BundleError('config_file_not_found', `$load_decathlon_datalist: the datalist file ${file} does not exist.`, {
      hint: 'check the path; a relative path resolves against the current directory (write @bundle_root & "/configs/datalist.json")',
      location: { file: absolute },
    });
  }
  // the same root rule as $glob and macros: a bundle may not read what lies outside its folder through a datalist
  if (!insideCheck(confinement)(absolute)) {
    throw new BundleError('outside_root', `$load_decathlon_datalist: the datalist file ${file} is outside the bundle root and the folders named on the command line.`, {
      location: { file: absolute },
    });
  }
  let text: string;
  try {
    text = readRegularFile(absolute, MAX_DATALIST_BYTES);
  } catch (cause) {
    if (!(cause instanceof ReadRefused)) throw cause;
    throw new BundleError('parse_error', `$load_decathlon_datalist: ${file} ${cause.message}.`, { hint: 'name a datalist JSON file', location: { file: absolute }, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new BundleError('parse_error', `$load_decathlon_datalist: ${file} is not valid JSON (${(cause as Error).message}).`, { location: { file: absolute }, cause });
  }
  const lists = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  if (!(key in lists)) {
    const available = Object.keys(lists).filter((k) => Array.isArray(lists[k]));
    throw new BundleError('missing_key', `$load_decathlon_datalist: ${file} has no "${key}" list.`, {
      hint: available.length ? `it has ${available.map((k) => `"${k}"`).join(', ')}; pass data_list_key` : 'a datalist is an object of lists, e.g. {"training": [...]}',
      location: { file: absolute },
      candidates: available,
    });
  }
  let items = lists[key];
  if (!Array.isArray(items)) throw bad(`"${key}" in ${file} is not a list.`, absolute);
  if (key === 'test' && items.length > 0 && (typeof items[0] !== 'object' || items[0] === null)) items = items.map((image) => ({ image }));
  const baseDir = options.base_dir ?? path.dirname(file);
  const segmentation = options.is_segmentation ?? true;
  return (items as unknown[]).map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad(`item ${i} of "${key}" in ${file} is not an object.`, absolute);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item)) out[k] = joinPaths(baseDir, v, !(k === 'image' || (segmentation && k === 'label')));
    return out;
  });
}

/** MONAI's _compute_path: a string or a list of strings joined to base_dir (only if it exists, with checkPath). */
function joinPaths(baseDir: string, value: unknown, checkPath: boolean): unknown {
  const join = (p: string) => {
    const joined = path.normalize(path.isAbsolute(p) ? p : path.join(baseDir, p)); // as os.path.join
    return checkPath && !existsSync(joined) ? p : joined;
  };
  if (typeof value === 'string') return join(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map(join);
  return value;
}
