/**
 * What a job is: data only. It names one input file, the plain override values of the submission and the
 * hash of the bundle it was submitted for; the code (components, expressions) always comes from the
 * worker's own config files. Anything in a job that could change what runs (`_target_`, `_requires_`,
 * `_mode_`, a `$` expression, an `@` reference, a `%` macro) is rejected, at submit time and again by the
 * worker, since anyone who can write to Redis can write a job.
 */
import { createHash } from 'node:crypto';
import { BundleError } from '../errors/index.js';
import { canonicalJson } from '../engine/configHash.js';
import { isPlainObject, MODE_KEY, REQUIRES_KEY, TARGET_KEY } from '../config/sigils.js';

export const JOB_FORMAT = 1;

export interface JobOverride {
  id: string;
  value: unknown;
}

export interface JobData {
  format: typeof JOB_FORMAT;
  /** absolute path of the input as the submitter sees it (workers map it with --path_map) */
  input: string;
  /** the input_dict key the input goes to (default "image") */
  imageKey: string;
  /** the --input_dict template: the other keys of each item (a label prompt, ...) */
  template?: Record<string, unknown>;
  /** overrides given to `queue submit` (e.g. --output_dir), in order */
  overrides: JobOverride[];
  /** configHash of the submitter's merged config files, without overrides */
  configHash: string;
  /** what identified the input's content at submit time: "size:<bytes>:mtime:<ms>", "sha256:<hex>" or "missing" */
  identity: string;
  /** set by `submit --force`: run even when a finished output for the same config exists */
  force?: boolean;
}

const CODE_KEYS: ReadonlySet<string> = new Set([TARGET_KEY, REQUIRES_KEY, MODE_KEY]);

/**
 * Deterministic: the same bundle, overrides and input file (same size and mtime, or same content) give the
 * same id, so BullMQ ignores a second submission of it. BullMQ ids must not be integers or contain ":".
 */
export function jobIdOf(data: Pick<JobData, 'configHash' | 'overrides' | 'template' | 'imageKey' | 'input' | 'identity'>): string {
  const key = canonicalJson([data.configHash, data.overrides, data.template ?? null, data.imageKey, data.input, data.identity]);
  return 'j' + createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** Throws job_rejected when `value` (at `where`) holds anything but plain data. */
export function checkDataOnly(value: unknown, where: string): void {
  if (typeof value === 'string') {
    const sigil = value[0];
    if (sigil === '$' || sigil === '@' || sigil === '%') {
      const what = sigil === '$' ? 'an expression' : sigil === '@' ? 'a reference' : 'a macro';
      throw new BundleError('job_rejected', `${where} is ${what} (${JSON.stringify(value.slice(0, 60))}); a queued job may carry only data.`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkDataOnly(v, `${where}[${i}]`));
    return;
  }
  if (value !== null && typeof value === 'object') {
    if (!isPlainObject(value)) throw new BundleError('job_rejected', `${where} is not plain JSON data.`);
    for (const [k, v] of Object.entries(value)) {
      if (CODE_KEYS.has(k)) throw new BundleError('job_rejected', `${where} sets "${k}"; a queued job may carry only data.`);
      checkDataOnly(v, `${where}.${k}`);
    }
  }
}

/** An override id may not reach into a component's code keys. */
function checkOverrideId(id: string): void {
  const segments = id.replace(/^\+/, '').split(/::|#/);
  const bad = segments.find((s) => CODE_KEYS.has(s));
  if (bad) throw new BundleError('job_rejected', `The override --${id} sets "${bad}"; a queued job may carry only data.`);
  if (/^[@$%]/.test(id)) throw new BundleError('job_rejected', `The override id "${id}" starts with a sigil.`);
}

export function checkOverrides(overrides: readonly JobOverride[]): void {
  for (const o of overrides) {
    checkOverrideId(o.id);
    checkDataOnly(o.value, `the override --${o.id}`);
  }
}

/** The job's data as a worker must see it, checked field by field; anything else is rejected. */
export function parseJobData(raw: unknown): JobData {
  const fail = (what: string) => new BundleError('job_rejected', `The job's data ${what}.`);
  if (!isPlainObject(raw)) throw fail('is not an object');
  if (raw.format !== JOB_FORMAT) throw fail(`has format ${JSON.stringify(raw.format)}, not ${JOB_FORMAT} (submitted by another version?)`);
  for (const key of ['input', 'imageKey', 'configHash', 'identity'] as const) {
    if (typeof raw[key] !== 'string' || raw[key] === '') throw fail(`lacks the string "${key}"`);
  }
  if (!Array.isArray(raw.overrides) || !raw.overrides.every((o) => isPlainObject(o) && typeof o.id === 'string' && 'value' in o)) {
    throw fail('has no list of {id, value} overrides');
  }
  if (raw.template !== undefined && !isPlainObject(raw.template)) throw fail('has a template that is not a dict');
  const data = raw as unknown as JobData;
  checkDataOnly(data.input, 'the input path');
  checkDataOnly(data.imageKey, 'the image key');
  checkOverrides(data.overrides);
  if (data.template) checkDataOnly(data.template, 'the input_dict template');
  return data;
}

/** `from=to` pairs: a path starting with `from` (as the submitter saw it) starts with `to` on this worker. */
export function parsePathMaps(values: readonly string[]): Array<[string, string]> {
  return values.map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new BundleError('usage', `--path_map ${JSON.stringify(v)} is not from=to.`, { hint: 'for example --path_map /mnt/nas=/data' });
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

/** Every string in `value` that starts with a mapped prefix, rewritten (first matching map wins). */
export function mapPaths<T>(value: T, maps: ReadonlyArray<[string, string]>): T {
  if (maps.length === 0) return value;
  if (typeof value === 'string') {
    const m = maps.find(([from]) => value.startsWith(from));
    return (m ? m[1] + value.slice(m[0].length) : value) as T;
  }
  if (Array.isArray(value)) return value.map((v) => mapPaths(v, maps)) as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapPaths(v, maps)])) as T;
  return value;
}

/** The overrides a worker applies for a job: the submission's, then the input_dict template, then the input. */
export function jobOverrides(data: JobData, maps: ReadonlyArray<[string, string]>): JobOverride[] {
  return [
    ...data.overrides.map((o) => ({ id: o.id, value: mapPaths(o.value, maps) })),
    ...(data.template ? [{ id: 'input_dict', value: mapPaths(data.template, maps) }] : []),
    { id: `input_dict::${data.imageKey}`, value: mapPaths(data.input, maps) },
  ];
}
