/**
 * The one way the interpreter writes a file whole: into a temporary file beside the target, then a rename,
 * so that a failure never leaves a half-written output and readers never see one.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BundleError } from '../errors/index.js';

/** A unique hidden temporary path in the target's folder (same file system, so the rename is atomic). */
export function tempPathBeside(file: string): string {
  const absolute = path.resolve(file);
  return path.join(path.dirname(absolute), `.${path.basename(absolute)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `file` atomically, creating its folder; `what` names the file in the error ("the preview"). */
export function writeFileAtomic(file: string, data: string | Uint8Array, what = 'the file'): void {
  const target = path.resolve(file);
  const tmp = tempPathBeside(target);
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new BundleError('write_failed', `Could not write ${what} ${target}: ${(e as Error).message}`, {
      cause: e,
      location: { file: target },
    });
  }
}
