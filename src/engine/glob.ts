/**
 * `$glob(folder, pattern)` for batch configs: the sorted list of files under `folder` matching `pattern`.
 * `*` (any characters but "/"), `?` (one character) and `[abc]` work in every path segment; a `**` segment
 * matches any number of folders. As Python's glob, wildcards do not match a leading "." (hidden files).
 * Results are `folder` joined with the match, sorted by code point, files only.
 *
 * The root rule (as for macros): a bundle is untrusted, so the folder, and every symbolic link followed on
 * the way, must lie inside the bundle root or inside a folder the user named on the command line, unless
 * the user passed --allow_outside_root. Wildcards run on RE2 (linear time), so no pattern can backtrack.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RE2JS } from 're2js';
import { bundleRootOf, isInside } from '../config/bundleLayout.js';
import { re2 } from '../config/expressionLimits.js';
import { BundleError } from '../errors/index.js';

/** Where $glob may look: inside any of `roots` (real paths are compared), or anywhere with allowOutside. */
/**
 * Where a run's host functions may read: the bundle root (the first config file's), the existing folders the
 * user named as override values, or anywhere with --allow_outside_root.
 */
export function readConfinement(configFiles: readonly string[], overrides: ReadonlyArray<{ value: unknown }>, allowOutside: boolean): GlobConfinement {
  const userFolders = overrides
    .map((o) => o.value)
    .filter((v): v is string => typeof v === 'string' && v !== '' && isFolder(v))
    .map((v) => path.resolve(v));
  return { roots: [bundleRootOf(configFiles[0]!), ...userFolders], allowOutside };
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false; // absent, or not a path at all (a NUL byte, too long)
  }
}

export interface GlobConfinement {
  roots: string[];
  allowOutside: boolean;
}

const MAX_PATTERN = 1024;

export function globFiles(folder: string, pattern: string, confinement?: GlobConfinement): string[] {
  if (typeof folder !== 'string' || typeof pattern !== 'string' || pattern === '') {
    throw new BundleError('invalid_arguments', '$glob takes a folder and a non-empty pattern, both strings.', {
      hint: 'write e.g. $glob(@input_dir, "*.nii.gz")',
    });
  }
  if (pattern.length > MAX_PATTERN) {
    throw new BundleError('invalid_arguments', `$glob's pattern is ${pattern.length} characters long; at most ${MAX_PATTERN} are accepted.`, {
      hint: 'a wildcard pattern such as "*.nii.gz" or "**/*.nii.gz"',
    });
  }
  const root = path.resolve(folder);
  const inside = insideCheck(confinement);
  if (!inside(root)) {
    throw new BundleError('outside_root', `$glob's folder ${folder} is outside the bundle root and the folders named on the command line.`, {
      location: { file: root },
    });
  }
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
  walk(root, '', segments, matches, inside);
  return [...new Set(matches)].sort().map((rel) => path.join(folder, rel));
}

/** A test of real paths against the confinement (everything passes without one). */
/** Whether a path (after links) lies inside the confinement's roots; shared by every host function that reads. */
export function insideCheck(confinement: GlobConfinement | undefined): (p: string) => boolean {
  if (!confinement || confinement.allowOutside) return () => true;
  const roots = confinement.roots.map(real);
  return (p) => roots.some((r) => isInside(r, real(p)));
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function walk(dir: string, rel: string, segments: string[], out: string[], inside: (p: string) => boolean): void {
  if (segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '**') {
    walk(dir, rel, rest, out, inside);
    for (const entry of list(dir)) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) walk(path.join(dir, entry.name), join(rel, entry.name), segments, out, inside);
    }
    return;
  }
  const matches = segmentMatcher(head);
  for (const entry of list(dir)) {
    if (!matches(entry.name)) continue;
    const childRel = join(rel, entry.name);
    const full = path.join(dir, entry.name);
    // a link is followed only where the root rule allows its target
    if (entry.isSymbolicLink() && !inside(full)) continue;
    if (rest.length === 0) {
      if (entry.isFile() || (entry.isSymbolicLink() && isFile(full))) out.push(childRel);
    } else if (entry.isDirectory() || (entry.isSymbolicLink() && !isFile(full))) {
      walk(full, childRel, rest, out, inside);
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

/** One path segment's wildcard pattern as a test of names (RE2: linear time in the name). */
export function segmentMatcher(segment: string): (name: string) => boolean {
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
  let compiled: RE2JS;
  try {
    compiled = re2().compile(`^(?:${re})$`);
  } catch {
    throw new BundleError('invalid_arguments', `$glob's pattern segment "${segment.slice(0, 100)}" is not a valid wildcard pattern.`, {
      hint: 'use *, ?, [abc], [!abc] and ** (a whole segment)',
    });
  }
  const hiddenToo = segment.startsWith('.');
  return (name) => (hiddenToo || !name.startsWith('.')) && compiled.matcher(name).find();
}
