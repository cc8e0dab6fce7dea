/**
 * `bundle serve` without the command line: refuse a non-loopback address without a token, load the bundle
 * once, listen, expire idle files, and on close stop taking requests, let the running ones finish and
 * remove the temporary folder.
 */
import { isIP } from 'node:net';
import { BundleError } from '../errors/index.js';
import type { ComponentFactory } from '../config/index.js';
import type { Override } from '../engine/runBundle.js';
import type { Logger } from '../registry/ComponentEntry.js';
import { buildApp, forget, type AppContext } from './app.js';
import { MemoryCache, volumeBytes } from './memoryCache.js';
import { RequestQueue } from './queue.js';
import { BundleSession } from './session.js';
import { FileStore } from './store.js';
import type { Volume } from '../image/Volume.js';
import type { Sample } from '../transforms/Transform.js';

export interface ServeOptions {
  configFiles: string[];
  metaFiles?: string[];
  overrides: Override[];
  registry: ComponentFactory;
  host: string;
  port: number;
  token: string | null;
  maxUploadBytes: number;
  dataDir: string | null;
  /** files and results unused this long are deleted */
  idleMs: number;
  /** memory for preprocessed images and results' network outputs (each cache gets this bound) */
  cacheBytes: number;
  queueLimit: number;
  /** parent of the server's temporary folder (default: the OS temp folder) */
  tmpDir?: string;
  allowOutsideBundleRoot?: boolean;
  expressionTimeoutMs?: number;
  expressionMaxDepth?: number;
  logger: Logger;
}

export interface RunningServer {
  url: string;
  root: string;
  session: BundleSession;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** The address check, before anything is loaded: another address needs a token. */
export function checkHost(host: string, token: string | null): void {
  if (!isLoopback(host) && !token) {
    throw new BundleError('usage', `Serving on ${host}, which is not a loopback address, needs a token.`, {
      hint: 'pass --token <secret> (or set BUNDLE_SERVE_TOKEN); clients then send "Authorization: Bearer <secret>"',
      location: { path: '--host' },
    });
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  checkHost(options.host, options.token);
  const store = new FileStore({ dataDir: options.dataDir, ...(options.tmpDir ? { parent: options.tmpDir } : {}) });
  try {
    const session = await BundleSession.load({
      configFiles: options.configFiles,
      ...(options.metaFiles ? { metaFiles: options.metaFiles } : {}),
      overrides: options.overrides,
      registry: options.registry,
      workDir: store.workDir,
      logger: options.logger,
      allowOutsideBundleRoot: options.allowOutsideBundleRoot ?? false,
      ...(options.expressionTimeoutMs !== undefined ? { expressionTimeoutMs: options.expressionTimeoutMs } : {}),
      ...(options.expressionMaxDepth !== undefined ? { expressionMaxDepth: options.expressionMaxDepth } : {}),
    });
    const ctx: AppContext = {
      session,
      store,
      queue: new RequestQueue(options.queueLimit),
      preprocessed: new MemoryCache<Sample>(options.cacheBytes, volumeBytes),
      logits: new MemoryCache<Volume>(options.cacheBytes, volumeBytes),
      seeds: new Map(),
      maxUploadBytes: options.maxUploadBytes,
      token: options.token,
      dataDir: options.dataDir !== null,
    };
    const app = buildApp(ctx);
    try {
      await app.listen({ host: options.host, port: options.port });
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new BundleError('usage', `Cannot listen on ${options.host}:${options.port}: ${(e as Error).message}.`, {
        hint: code === 'EADDRINUSE' ? 'another program uses the port: pick another with --port (0: any free port)' : 'check --host and --port',
        location: { path: '--port' },
      });
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
    const sweep = setInterval(() => {
      for (const id of store.expire(options.idleMs)) forget(ctx, id);
    }, Math.max(1000, Math.min(options.idleMs / 2, 60_000)));
    sweep.unref();
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}/`,
      root: store.root,
      session,
      close: () =>
        (closing ??= (async () => {
          clearInterval(sweep);
          ctx.closing = true;
          try {
            await app.close();
            await ctx.queue.drain();
          } finally {
            ctx.preprocessed.clear();
            ctx.logits.clear();
            store.close();
          }
        })()),
    };
  } catch (e) {
    store.close();
    throw e;
  }
}
