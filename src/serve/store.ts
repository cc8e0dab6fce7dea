/**
 * The server's files: one temporary folder per server (images/, results/, work/), uploads streamed in with a
 * size limit and checked to be NIfTI before they get an id, names under --data_dir resolved without ever
 * leaving it, and everything idle longer than the idle time deleted. `close` removes the whole folder.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform as StreamTransform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BundleError } from '../errors/index.js';
import { fileShape, MAX_HEADER_BYTES, parseHeader } from '../image/nifti/header.js';
import type { LabelCount } from '../engine/labelSummary.js';

export interface ImageEntry {
  id: string;
  /** the name it was uploaded or named with */
  name: string;
  file: string;
  /** shape in file order, from the header */
  shape: number[];
  bytes: number;
  /** uploads are ours to delete; --data_dir files are not */
  owned: boolean;
  lastUsed: number;
}

export interface ResultEntry {
  id: string;
  imageId: string;
  file: string;
  labels: LabelCount[] | null;
  /** the result's network output can seed a later click (prev_result) */
  reusable: boolean;
  lastUsed: number;
}

const NIFTI_NAME = /\.nii(\.gz)?$/i;

export class FileStore {
  readonly root: string;
  readonly workDir: string;
  private readonly images = new Map<string, ImageEntry>();
  private readonly results = new Map<string, ResultEntry>();
  private readonly dataDir: string | null;

  constructor(options: { dataDir?: string | null; parent?: string }) {
    this.root = mkdtempSync(path.join(options.parent ?? os.tmpdir(), 'bundle-serve-'));
    for (const sub of ['images', 'results', 'work']) mkdirSync(path.join(this.root, sub));
    this.workDir = path.join(this.root, 'work');
    this.dataDir = options.dataDir ? realpathSync(options.dataDir) : null;
  }

  /** Streams an upload into the store; refuses what is over `limit` bytes or not NIfTI, leaving no file. */
  async upload(body: Readable, name: string, limit: number): Promise<ImageEntry> {
    checkNiftiName(name);
    const id = randomUUID();
    const file = path.join(this.root, 'images', `${id}${name.toLowerCase().endsWith('.gz') ? '.nii.gz' : '.nii'}`);
    const partial = `${file}.part`;
    let bytes = 0;
    const counter = new StreamTransform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > limit) done(tooLarge(limit));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(partial));
      const shape = await niftiShape(partial, name);
      renameSync(partial, file);
      return this.addImage({ id, name: path.basename(name), file, shape, bytes, owned: true, lastUsed: Date.now() });
    } catch (e) {
      rmSync(partial, { force: true });
      body.resume();
      throw e;
    }
  }

  /** An image from --data_dir by its relative name: no absolute paths, no "..", no symlink leading out. */
  async fromDataDir(name: string): Promise<ImageEntry> {
    if (!this.dataDir) {
      throw new BundleError('usage', 'This server was started without --data_dir, so it has no files to name.', {
        hint: 'upload the image instead (POST /api/images), or restart with --data_dir <folder>',
      });
    }
    const segments = name.split(/[\\/]+/);
    if (name === '' || path.isAbsolute(name) || /^[a-zA-Z]:/.test(name) || name.includes('\0') || segments.includes('..')) {
      throw new BundleError('path_not_allowed', `"${name}" is not a relative name inside the data folder.`, { location: { path: 'name' } });
    }
    checkNiftiName(name);
    let real: string;
    try {
      real = realpathSync(path.join(this.dataDir, name));
    } catch {
      throw new BundleError('not_found', `There is no file "${name}" in the data folder.`, { location: { path: 'name' }, hint: 'names are relative to --data_dir' });
    }
    if (!real.startsWith(this.dataDir + path.sep)) {
      throw new BundleError('path_not_allowed', `"${name}" leads outside the data folder (through a symbolic link).`, { location: { path: 'name' } });
    }
    const stat = statSync(real);
    if (!stat.isFile()) throw new BundleError('not_found', `"${name}" in the data folder is not a file.`, { location: { path: 'name' } });
    const shape = await niftiShape(real, name);
    return this.addImage({ id: randomUUID(), name, file: real, shape, bytes: stat.size, owned: false, lastUsed: Date.now() });
  }

  /** The NIfTI files under --data_dir (relative names, sorted, at most `limit`), symbolic links left out. */
  listDataDir(limit = 1000): string[] {
    if (!this.dataDir) return [];
    return readdirSync(this.dataDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && NIFTI_NAME.test(e.name))
      .map((e) => path.relative(this.dataDir!, path.join(e.parentPath, e.name)))
      .sort()
      .slice(0, limit);
  }

  image(id: string): ImageEntry {
    const entry = this.images.get(id);
    if (!entry) throw new BundleError('not_found', `There is no image "${id}" on this server.`, { location: { path: 'image_id' } });
    entry.lastUsed = Date.now();
    return entry;
  }

  result(id: string): ResultEntry {
    const entry = this.results.get(id);
    if (!entry) {
      throw new BundleError('not_found', `There is no result "${id}" on this server.`, {
        location: { path: 'result_id' },
        hint: 'results expire after the server\'s idle time and at restart; run the request again',
      });
    }
    entry.lastUsed = Date.now();
    return entry;
  }

  /** Moves a file the bundle wrote into results/ under a new id. */
  addResult(imageId: string, output: string, labels: LabelCount[] | null, reusable: boolean): ResultEntry {
    const id = randomUUID();
    const file = path.join(this.root, 'results', `${id}.nii.gz`);
    renameSync(output, file);
    const entry: ResultEntry = { id, imageId, file, labels, reusable, lastUsed: Date.now() };
    this.results.set(id, entry);
    return entry;
  }

  deleteImage(id: string): string[] {
    const entry = this.image(id);
    this.images.delete(id);
    if (entry.owned) rmSync(entry.file, { force: true });
    const gone = [id];
    for (const r of [...this.results.values()]) if (r.imageId === id) gone.push(...this.deleteResult(r.id));
    return gone;
  }

  deleteResult(id: string): string[] {
    const entry = this.result(id);
    this.results.delete(id);
    rmSync(entry.file, { force: true });
    return [id];
  }

  /** Deletes images and results unused for `idleMs`; returns the ids removed. */
  expire(idleMs: number, now = Date.now()): string[] {
    const gone: string[] = [];
    for (const r of [...this.results.values()]) if (now - r.lastUsed > idleMs && this.results.has(r.id)) gone.push(...this.deleteResult(r.id));
    for (const i of [...this.images.values()]) if (now - i.lastUsed > idleMs) gone.push(...this.deleteImage(i.id));
    return gone;
  }

  counts(): { images: number; results: number } {
    return { images: this.images.size, results: this.results.size };
  }

  /** Empties work/, where the bundle writes before a result is moved out (nothing stays after a failure). */
  clearWork(): void {
    for (const name of readdirSync(this.workDir)) rmSync(path.join(this.workDir, name), { recursive: true, force: true });
  }

  close(): void {
    this.images.clear();
    this.results.clear();
    rmSync(this.root, { recursive: true, force: true });
  }

  private addImage(entry: ImageEntry): ImageEntry {
    this.images.set(entry.id, entry);
    return entry;
  }
}

function checkNiftiName(name: string): void {
  if (!NIFTI_NAME.test(name)) {
    throw new BundleError('unsupported_media_type', `"${name}" is not a NIfTI file name: only .nii and .nii.gz are accepted.`, { location: { path: 'name' } });
  }
}

function tooLarge(limit: number): BundleError {
  return new BundleError('payload_too_large', `The upload is larger than the server's limit of ${formatBytes(limit)}.`, { location: { path: 'body' } });
}

export function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 ? 1 : 0)} GiB` : `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 ? 1 : 0)} MiB`;
}

/** The shape in a NIfTI file's header (gzip or not), reading only the first bytes; not NIfTI: 415. */
async function niftiShape(file: string, name: string): Promise<number[]> {
  const head = await firstBytes(file);
  try {
    return fileShape(parseHeader(head, name));
  } catch (e) {
    const message = e instanceof BundleError ? e.message : String(e);
    throw new BundleError('unsupported_media_type', `"${name}" is not a NIfTI image: ${message}.`, { location: { path: 'body' } });
  }
}

async function firstBytes(file: string): Promise<Uint8Array> {
  const magic = await readPrefix(createReadStream(file, { start: 0, end: 1 }), 2);
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  const raw = createReadStream(file);
  if (!gzip) return readPrefix(raw, MAX_HEADER_BYTES);
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  return readPrefix(gunzip, MAX_HEADER_BYTES).finally(() => raw.destroy());
}

/** Up to `n` bytes from the start of a stream (fewer if it ends first or is not valid gzip). */
async function readPrefix(stream: Readable, n: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= n) break;
    }
  } catch {
    // a broken gzip stream: what was read so far is judged by the header check
  } finally {
    stream.destroy();
  }
  return new Uint8Array(Buffer.concat(chunks).subarray(0, n));
}
