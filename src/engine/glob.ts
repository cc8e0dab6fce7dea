/**
 * `$glob(folder, pattern)` for batch configs: the sorted list of files under `folder` matching `pattern`.
 * `*` (any characters but "/"), `?` (one character) and `[abc]` work in every path segment; a `**` segment
 * matches any number of folders. As Python's glob, wildcards do not match a leading "." (hidden files).
 * Results are `folder` joined with the match, sorted by code point, files only.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BundleError } from '../errors/index.js';

export function globFiles(folder: string, pattern: string): string[] {
  if (typeof folder !== 'string' || typeof pattern !== 'string' || pattern === '') {
    throw new BundleError('invalid_arguments', '$glob takes a folder and a non-empty pattern, both strings.', {
      hint: 'write e.g. $glob(@input_dir, "*.nii.gz")',
    });
  }
  const root = path.resolve(folder);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new BundleError('image_not_found', `$glob's folder ${folder} does not exist or is not a folder.`, {
      hint: 'check the path; relative paths are resolved against the current directory',
      location: { file: root },
    });
  }
  const segments = pattern.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  const matches: string[] = [];
  walk(root, '', segments, matches);
  return [...new Set(matches)].sort().map((rel) => path.join(folder, rel));
}

function walk(dir: string, rel: string, segments: string[], out: string[]): void {
  if (segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '**') {
    walk(dir, rel, rest, out);
    for (const entry of list(dir)) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) walk(path.join(dir, entry.name), join(rel, entry.name), segments, out);
    }
    return;
  }
  const re = segmentRegExp(head);
  for (const entry of list(dir)) {
    if (!re.test(entry.name)) continue;
    const childRel = join(rel, entry.name);
    const full = path.join(dir, entry.name);
    if (rest.length === 0) {
      if (entry.isFile() || (entry.isSymbolicLink() && isFile(full))) out.push(childRel);
    } else if (entry.isDirectory() || (entry.isSymbolicLink() && !isFile(full))) {
      walk(full, childRel, rest, out);
    }
  }
}

function list(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function join(rel: string, name: string): string {
  return rel === '' ? name : `${rel}/${name}`;
}

/** One path segment's wildcard pattern as an anchored regular expression. */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) re += '\\[';
      else {
        let body = segment.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  const hidden = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${re}$`, 'u');
}
