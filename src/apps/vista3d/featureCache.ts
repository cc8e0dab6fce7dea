/**
 * Class-head features (`class_features`, or a three-graph export's `feat_auto`) of each window batch, kept between the passes of everything mode so that
 * the encoder runs once per window however many passes the stitch budget forces. The features go to a
 * temporary file, not to memory (48 channels of a 128³ window are 400 MB; the operating system's page cache
 * keeps what fits), and the file is removed by `close`.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BundleError } from '../../errors/index.js';
import type { Tensor } from '../../inference/types.js';
import type { Features } from './network.js';

/** The point head is never called on class-ids-only passes: cached features carry no point features. */
const noPointFeatures = (): Promise<Tensor> => Promise.reject(new BundleError('internal', 'Cached VISTA3D features hold no point features.'));

interface Entry {
  offset: number;
  dims: number[];
  length: number;
}

export class FeatureCache {
  private dir: string | null = null;
  private fd: number | null = null;
  private end = 0;
  private readonly entries = new Map<string, Entry>();

  /** The cached features of `key`, or `encode()`'s, stored for later passes. */
  async get(key: string, encode: () => Promise<Features>): Promise<Features> {
    const entry = this.entries.get(key);
    if (entry) {
      const tensor = this.read(entry);
      return { classFeatures: async () => tensor, pointFeatures: noPointFeatures };
    }
    const features = await encode();
    this.write(key, await features.classFeatures());
    return features;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.fd = null;
    this.dir = null;
    this.entries.clear();
  }

  private file(): number {
    if (this.fd === null) {
      this.dir = mkdtempSync(path.join(tmpdir(), 'vista3d-features-'));
      this.fd = openSync(path.join(this.dir, 'feat_auto.f32'), 'w+');
    }
    return this.fd;
  }

  private write(key: string, tensor: Tensor): void {
    const data = tensor.data as Float32Array;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    try {
      const fd = this.file();
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, this.end + done);
    } catch (error) {
      throw new BundleError('write_failed', `Could not cache VISTA3D encoder features in ${this.dir ?? tmpdir()}: ${(error as Error).message}`, {
        hint: 'everything mode with several passes stores the features of each window on disk: free some space in the temp folder (TMPDIR), or raise --inferer#stitch_memory_mb so that one pass suffices',
        cause: error,
      });
    }
    this.entries.set(key, { offset: this.end, dims: [...tensor.dims], length: data.length });
    this.end += bytes.length;
  }

  private read(entry: Entry): Tensor {
    const data = new Float32Array(entry.length);
    const bytes = new Uint8Array(data.buffer);
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(this.fd!, bytes, done, bytes.length - done, entry.offset + done);
      if (n === 0) throw new BundleError('internal', `The cached VISTA3D encoder features in ${this.dir} are truncated.`);
      done += n;
    }
    return { type: 'float32', dims: entry.dims, data };
  }
}
