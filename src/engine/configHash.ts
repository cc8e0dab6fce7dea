/**
 * The hash a run summary records: sha256 of the merged raw config (after overrides and macro expansion,
 * metadata included) as canonical JSON, keys sorted. Two runs with the same hash ran the same config;
 * resolved values (component instances) are not hashable, so the raw text that produced them is hashed.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function configHash(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex');
}
