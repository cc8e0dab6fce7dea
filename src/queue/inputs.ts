/**
 * The input files of a submission: glob patterns (`data/*.nii.gz`, `cohort/**\/*.nii`) or list files (one path
 * per line, `#` comments; relative paths are relative to the list file), made absolute and deduplicated, and
 * the identity of each file's content that goes into its job id.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BundleError } from '../errors/index.js';
import { globFiles } from '../engine/glob.js';

const GLOB_CHARS = /[*?[]/;
const NIFTI = /\.nii(\.gz)?$/i;

export function collectInputs(specs: readonly string[]): string[] {
  const files: string[] = [];
  for (const spec of specs) {
    if (GLOB_CHARS.test(spec)) {
      const segments = spec.split(/[\\/]/);
      const first = segments.findIndex((s) => GLOB_CHARS.test(s));
      const folder = segments.slice(0, first).join('/') || (spec.startsWith('/') ? '/' : '.');
      const matches = globFiles(folder, segments.slice(first).join('/'));
      if (matches.length === 0) throw new BundleError('usage', `--inputs ${spec} matches no file.`, { hint: 'check the folder and the pattern; quote the pattern so the shell does not expand it' });
      files.push(...matches.map((f) => path.resolve(f)));
      continue;
    }
    const stat = statOrNull(spec);
    if (stat?.isDirectory()) {
      throw new BundleError('usage', `--inputs ${spec} is a folder.`, { hint: `give a pattern such as "${path.join(spec, '*.nii.gz')}" or a list file` });
    }
    if (stat && !NIFTI.test(spec)) files.push(...readListFile(spec));
    else files.push(path.resolve(spec)); // a NIfTI path, or a missing file (its job fails and says so)
  }
  if (files.length === 0) throw new BundleError('usage', 'No input was given.', { hint: 'pass --inputs "<folder>/*.nii.gz" or --inputs list.txt' });
  return [...new Set(files)];
}

function readListFile(file: string): string[] {
  const folder = path.dirname(path.resolve(file));
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => path.resolve(folder, l));
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

export type IdentityMode = 'stat' | 'sha256';

/** "size:<bytes>:mtime:<ms>" (cheap, the default), "sha256:<hex>" (reads the file), or "missing". */
export async function inputIdentity(file: string, mode: IdentityMode): Promise<string> {
  const stat = statOrNull(file);
  if (!stat) return 'missing';
  if (mode === 'stat') return `size:${stat.size}:mtime:${Math.round(stat.mtimeMs)}`;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
