/**
 * The one way the interpreter writes a file whole: into a temporary file beside the target, then a rename,
 * so that a failure never leaves a half-written output and readers never see one.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BundleError } from '../errors/index.js';
import { checkWriteTarget } from './writeGuard.js';

/** A unique hidden temporary path in the target's folder (same file system, so the rename is atomic). */
export function tempPathBeside(file: string): string {
  const absolute = path.resolve(file);
  return path.join(path.dirname(absolute), `.${path.basename(absolute)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Removes temporary files that writes of `file` left behind when their process was killed before the rename
 * (tempPathBeside's names). Only for a caller that knows no other write of `file` is under way, such as a
 * queue worker holding the job's lock. Returns the paths removed.
 */
export function removeStaleTemps(file: string): string[] {
  const absolute = path.resolve(file);
  const folder = path.dirname(absolute);
  const prefix = `.${path.basename(absolute)}.`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const stale = names.filter((n) => n.startsWith(prefix) && /^\d+\.[0-9a-f]{8}\.tmp$/.test(n.slice(prefix.length))).map((n) => path.join(folder, n));
  for (const f of stale) rmSync(f, { force: true });
  return stale;
}

/** Writes `data` to `file` atomically, creating its folder; `what` names the file in the error ("the preview"). */
export function writeFileAtomic(file: string, data: string | Uint8Array, what = 'the file'): void {
  const target = checkWriteTarget(file, what);
  const tmp = tempPathBeside(target);
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, target);
  } catch (e) {
    removeQuietly(tmp);
    throw new BundleError('write_failed', `Could not write ${what} ${target}: ${describeWriteError(e)}`, {
      cause: e,
      location: { file: target },
    });
  }
}

/** Removes a temporary file; a cleanup failure must never hide the error that made it necessary. */
export function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    /* the real error is reported */
  }
}

/** The reason of a failed write in words (the errno code alone says little to a user). */
export function describeWriteError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOTDIR':
      return 'a part of the folder path is a file, not a folder';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EISDIR':
      return 'the target is a folder';
    default:
      return (e as Error).message;
  }
}
