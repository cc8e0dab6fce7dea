/**
 * A least-recently-used map bounded by the bytes of what it holds (preprocessed images, logits of results):
 * adding past the bound drops the oldest entries. One entry larger than the bound is not kept at all.
 */
import { isVolume } from '../image/Volume.js';

export class MemoryCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    readonly limitBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(value);
    if (bytes > this.limitBytes) return;
    for (const [oldest, entry] of this.entries) {
      if (this.total + bytes <= this.limitBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.bytes;
    }
    this.entries.set(key, { value, bytes });
    this.total += bytes;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}

/** The bytes of the volumes among a value's own properties (a sample) or of the value itself (a volume). */
export function volumeBytes(value: unknown): number {
  if (isVolume(value)) return value.data.byteLength;
  if (value === null || typeof value !== 'object') return 0;
  let bytes = 0;
  for (const v of Object.values(value)) if (isVolume(v)) bytes += v.data.byteLength;
  return bytes;
}
