/**
 * Where the queue lives: a Redis URL (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS) plus an
 * optional CA file for a private TLS certificate. The URL may come from BUNDLE_REDIS_URL so that a password
 * does not show in process lists. Every command checks the connection first, so an unreachable Redis is one
 * clear error instead of endless reconnect attempts.
 */
import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { BundleError } from '../errors/index.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_QUEUE_NAME = 'bundle';

export interface RedisTarget {
  url: string;
  /** a PEM file with the CA that signed the server's certificate (rediss:// only) */
  caFile?: string;
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** ioredis options for BullMQ; `persistent` connections (workers) retry forever, the others give up quickly. */
export function connectionOptions(target: RedisTarget, persistent: boolean): RedisOptions & { url: string } {
  let parsed: URL;
  try {
    parsed = new URL(target.url);
  } catch {
    throw new BundleError('usage', `--redis ${JSON.stringify(target.url)} is not a URL.`, { hint: 'write redis://host:6379, redis://:password@host:6379/0 or rediss://host:6380 (TLS)' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new BundleError('usage', `--redis must be a redis:// or rediss:// URL, not ${redactUrl(target.url)}.`, { hint: 'write redis://host:6379 or rediss://host:6380 (TLS)' });
  }
  const tls = parsed.protocol === 'rediss:' ? { ...(target.caFile ? { ca: readCa(target.caFile) } : {}) } : undefined;
  return {
    url: target.url,
    ...(tls ? { tls } : {}),
    // BullMQ's workers block on Redis; a command must wait for a reconnect rather than fail after N tries
    maxRetriesPerRequest: null,
    retryStrategy: persistent ? (times: number) => Math.min(100 * times, 2000) : (times: number) => (times > 3 ? null : 200),
    connectionName: persistent ? 'bundle-worker' : 'bundle-queue',
  };
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new BundleError('usage', `Cannot read the CA file ${file}: ${(e as Error).message}.`, { location: { file } });
  }
}

/** Connects once and pings, so that a wrong URL, password or certificate fails now with the reason. */
export async function checkRedis(target: RedisTarget, timeoutMs = 5000): Promise<void> {
  const { url, ...options } = connectionOptions(target, false);
  const client = new Redis(url, { ...options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1, connectTimeout: timeoutMs });
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const reason = (lastError ?? (e as Error)).message;
    throw new BundleError('queue_unreachable', `Cannot reach Redis at ${redactUrl(url)}: ${reason}.`, { cause: e });
  } finally {
    client.disconnect();
  }
}
