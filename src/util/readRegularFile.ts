/**
 * Reads a file that a bundle or a user named, refusing what would hang or flood the process: anything but a
 * regular file (a FIFO would block forever, /dev/zero never ends, a folder is no text), files on the
 * kernel's special file systems (/proc, /sys, /dev: /proc/self/environ is "regular" and holds secrets),
 * and files larger than `maxBytes` (checked on the size and again while reading, since /proc sizes lie).
 * The open is non-blocking, so even opening a FIFO returns at once.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';

export type RefusalReason = 'not_regular' | 'special_fs' | 'too_large';

export class ReadRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

const SPECIAL_FS = ['/proc/', '/sys/', '/dev/'];

export function describeFileType(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The file's text (UTF-8). Errors from the file system (ENOENT, EACCES...) pass through unchanged. */
export function readRegularFile(file: string, maxBytes: number): string {
  const real = realpathSync(file);
  if (SPECIAL_FS.some((p) => real.startsWith(p))) {
    throw new ReadRefused('special_fs', `resolves to ${real}, on a special file system (/proc, /sys, /dev), which is never read`);
  }
  const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ReadRefused('not_regular', `is ${describeFileType(stats)}; only regular files are read`);
    if (stats.size > maxBytes) throw tooLarge(stats.size, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge(total, maxBytes);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number, max: number): ReadRefused {
  return new ReadRefused('too_large', `is larger than ${max} bytes${size > max ? ` (at least ${size})` : ''}`);
}
