/**
 * Where a run may write. Every file the interpreter writes (NIfTI outputs, the run summary, the preview)
 * passes `checkWriteTarget` first. Always: no special file system (/proc, /sys, /dev: writes there hang or
 * act), no path through a file, no target that is not a regular file. While a run's guard is installed, also:
 * no target that is (by device and inode, so through any symlink or hard link) a file the run read (configs,
 * metadata, images), and, unless the user allowed it, no target outside the run's write roots (the folders
 * given on the command line, else the bundle's folder and the current directory).
 */
import { accessSync, constants, readdirSync, realpathSync, statSync, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { BundleError } from '../errors/index.js';

const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

export interface WriteGuardOptions {
  /** folders (or single files) writes must stay under; null: anywhere */
  roots: string[] | null;
  /** what the user can pass to allow writes elsewhere, for the message */
  flag?: string;
}

export class WriteGuard {
  private readonly inputs = new Map<string, string>();
  private rootList: string[] | null = null;
  private readonly flag: string;

  constructor(options: WriteGuardOptions = { roots: null }) {
    this.setRoots(options.roots);
    this.flag = options.flag ?? '--allow_write_outside';
  }

  get roots(): string[] | null {
    return this.rootList;
  }

  setRoots(roots: string[] | null): void {
    this.rootList = roots ? [...new Set(roots.map((r) => realish(path.resolve(r))))] : null;
  }

  /** Records a file the run read; writes onto it are refused. Missing files are ignored. */
  protect(file: string): void {
    try {
      const info = statSync(file);
      if (info.isFile()) this.inputs.set(inodeKey(info), path.resolve(file));
    } catch {
      /* nothing to protect */
    }
  }

  /** Throws write_refused when `target` (absolute) is an input or outside the roots. */
  check(target: string, what: string): void {
    const existing = statOrNull(target);
    if (existing) {
      const input = this.inputs.get(inodeKey(existing));
      if (input !== undefined) {
        throw new BundleError('write_refused', `refusing to write ${what} ${target}: it is the input file ${input}${input === target ? '' : ' (through a link)'}`, {
          hint: 'choose another output folder, postfix or file name; outputs never replace the files a run reads',
          location: { file: target },
        });
      }
    }
    if (this.roots && !this.roots.some((root) => isUnder(root, realish(target)))) {
      throw new BundleError('write_refused', `refusing to write ${what} ${target}: it is outside the folders this run may write to (${this.roots.join(', ')})`, {
        hint: `give the output folder on the command line (--output_dir <folder>), or pass ${this.flag} if the bundle is trusted to write there`,
        location: { file: target },
      });
    }
  }
}

let current: WriteGuard | null = null;

/** Installs `guard` for the run; returns the function that removes it. */
export function installWriteGuard(guard: WriteGuard): () => void {
  const previous = current;
  current = guard;
  return () => {
    current = previous;
  };
}

/** Confines the installed guard's writes to `roots` (no-op when no guard is installed). */
export function confineWrites(roots: string[] | null): void {
  current?.setRoots(roots);
}

/** Records a file read by the run (no-op outside a run). */
export function protectInput(file: string): void {
  current?.protect(file);
}

/**
 * Checks a write target before any byte (or folder) is written: special file systems, a file in the
 * folder path, a non-regular target, and the installed guard's rules. `what` names it ("the image").
 */
export function checkWriteTarget(file: string, what: string, options: { folder?: boolean } = {}): string {
  const target = path.resolve(file);
  const real = realish(target);
  if (SPECIAL_ROOTS.some((root) => isUnder(root, real))) {
    throw new BundleError('write_refused', `refusing to write ${what} ${target}: ${real.split(path.sep).slice(0, 2).join(path.sep)} is a special file system, not a place for files`, {
      hint: 'choose an output folder on a disk',
      location: { file: target },
    });
  }
  const blocker = fileInFolderPath(options.folder ? target : path.dirname(target));
  if (blocker) {
    throw new BundleError('write_failed', `cannot write ${what} ${target}: ${blocker === target ? 'it' : blocker} is a file, not a folder`, {
      hint: 'choose an output folder that does not exist yet or is a folder',
      location: { file: target },
    });
  }
  const existing = statOrNull(target);
  if (existing && !options.folder && !existing.isFile()) {
    throw new BundleError('write_failed', `cannot write ${what} ${target}: it exists and is not a regular file`, {
      hint: 'choose another output name',
      location: { file: target },
    });
  }
  current?.check(target, what);
  return target;
}

/**
 * Whether files could be written in `folder` without creating anything: its nearest existing ancestor is a
 * writable folder. Returns the problem, or null.
 */
export function folderWriteProblem(folder: string): string | null {
  const blocker = fileInFolderPath(folder);
  if (blocker) return `${blocker} is a file, not a folder`;
  let dir = path.resolve(folder);
  while (!statOrNull(dir)) dir = path.dirname(dir);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return `${dir} is not writable`;
  }
  return null;
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes the hidden temporary files (`.<name>.<pid>.<hex>.tmp`, see atomicWrite.ts) that killed processes
 * left in `folder` and its subfolders (to `depth` levels). Files of live processes are kept. Returns the
 * paths removed.
 */
export function removeStaleTempFiles(folder: string, depth = 2): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory() && depth > 0) removed.push(...removeStaleTempFiles(full, depth - 1));
    const pid = entry.isFile() ? TEMP_NAME.exec(entry.name)?.[1] : undefined;
    if (pid !== undefined && !processAlive(Number(pid))) {
      try {
        unlinkSync(full);
        removed.push(full);
      } catch {
        /* another run removed it */
      }
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first existing component of `folder` (from the root down) that is not a folder, or null. */
function fileInFolderPath(folder: string): string | null {
  let dir = path.resolve(folder);
  const chain: string[] = [];
  while (true) {
    chain.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain) {
    const info = statOrNull(d);
    if (!info) return null;
    if (!info.isDirectory()) return d;
  }
  return null;
}

/** The real path of the nearest existing ancestor, with the rest appended (the target may not exist yet). */
function realish(target: string): string {
  let dir = target;
  const rest: string[] = [];
  while (true) {
    try {
      return path.join(realpathSync(dir), ...rest);
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return target;
      rest.unshift(path.basename(dir));
      dir = parent;
    }
  }
}

function isUnder(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function inodeKey(info: Stats): string {
  return `${info.dev}:${info.ino}`;
}
