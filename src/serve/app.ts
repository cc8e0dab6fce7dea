/**
 * The fastify application: routes of the HTTP API (openapi.ts describes them), the page and its assets,
 * the bearer token check, and errors as `{kind, message, where, hint}` with a status per kind.
 */
import { timingSafeEqual } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { BundleError } from '../errors/index.js';
import { labelSummary } from '../engine/labelSummary.js';
import { readNifti } from '../image/index.js';
import { closestNames } from '../util/closest.js';
import { MemoryCache } from './memoryCache.js';
import { imageParams, openApiDocument, resultParams, routeSchema, schemas, uploadQuery } from './openapi.js';
import type { RequestQueue } from './queue.js';
import type { BundleSession, Prompts } from './session.js';
import type { FileStore, ImageEntry } from './store.js';
import { toHttpError } from './httpErrors.js';
import type { Sample } from '../transforms/Transform.js';
import type { Volume } from '../image/Volume.js';

export const API_VERSION = '1.0.0';
/** results per image whose network output is kept to seed a later click (the page refines the latest) */
export const SEEDS_PER_IMAGE = 4;

export interface AppContext {
  session: BundleSession;
  store: FileStore;
  queue: RequestQueue;
  preprocessed: MemoryCache<Sample>;
  logits: MemoryCache<Volume>;
  /** per image, the ids of its results held in `logits`, oldest first */
  seeds: Map<string, string[]>;
  maxUploadBytes: number;
  token: string | null;
  dataDir: boolean;
  /** set at shutdown: answers then close their connection, so that keep-alive clients do not hold the close up */
  closing?: boolean;
}

interface InferBody {
  label_prompt?: Array<number | string>;
  points?: number[][];
  point_labels?: number[];
  prev_result?: string;
}

const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'page');
/** NiiVue's self-contained ES module build, from the installed package (no CDN) */
const NIIVUE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.resolve('@niivue/niivue'))), '..', '..', 'dist', 'index.js');
const ASSETS: Record<string, { file: string; type: string }> = {
  'niivue.js': { file: NIIVUE_FILE, type: 'text/javascript; charset=utf-8' },
  'app.js': { file: path.join(PAGE_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { file: path.join(PAGE_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
};

export function buildApp(ctx: AppContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  const expected = ctx.token ? Buffer.from(ctx.token) : null;

  app.addHook('onRequest', async (request) => {
    if (!expected || !request.url.startsWith('/api/')) return;
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new BundleError('unauthorized', header ? 'The token is wrong.' : 'This server needs a token.', { location: { path: 'Authorization' } });
    }
  });

  app.addHook('onSend', async (_request, reply) => {
    if (ctx.closing) reply.header('connection', 'close');
  });

  app.setErrorHandler((error: unknown, _request, reply) => {
    const e = error as { validation?: unknown; statusCode?: number; message?: string; code?: string };
    let mapped = error;
    if (e.validation) mapped = new BundleError('invalid_request', `The request is not valid: ${e.message}.`);
    else if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') mapped = new BundleError('unsupported_media_type', `Content type "${_request.headers['content-type']}" is not accepted here.`, { hint: 'send JSON to JSON routes and the raw NIfTI bytes (application/octet-stream) to POST /api/images' });
    else if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') mapped = new BundleError('payload_too_large', 'The request body is too large.');
    else if (!(error instanceof BundleError) && e.statusCode && e.statusCode < 500) mapped = new BundleError('invalid_request', `The request is not valid: ${e.message}.`);
    const { status, body } = toHttpError(mapped);
    void reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toHttpError(new BundleError('not_found', `There is no ${request.method} ${request.url.split('?')[0]} on this server.`, { hint: 'see /openapi.json for the routes' }));
    void reply.code(status).send(body);
  });

  // the raw upload body is streamed to disk by the route, never buffered
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(readFileSync(path.join(PAGE_DIR, 'index.html'))));
  app.get<{ Params: { asset: string } }>('/assets/:asset', (request, reply) => {
    const asset = ASSETS[request.params.asset];
    if (!asset) throw new BundleError('not_found', `There is no asset "${request.params.asset}".`);
    return reply.type(asset.type).header('cache-control', 'no-cache').send(createReadStream(asset.file));
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  const document = openApiDocument(API_VERSION);
  app.get('/openapi.json', async () => document);

  app.get('/api/info', async () => ({
    bundle: ctx.session.name,
    mode: ctx.session.mode,
    labels: Object.entries(ctx.session.channelDef)
      .map(([k, name]) => ({ id: Number(k), name }))
      .filter((l) => Number.isInteger(l.id) && l.id > 0),
    max_upload_bytes: ctx.maxUploadBytes,
    data_dir: ctx.dataDir,
    auth: ctx.token !== null,
  }));

  app.post<{ Querystring: { name: string } }>('/api/images', { schema: { querystring: uploadQuery } }, async (request, reply) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > ctx.maxUploadBytes) {
      reply.header('connection', 'close');
      throw new BundleError('payload_too_large', `The upload (${declared} bytes) is larger than the server's limit of ${ctx.maxUploadBytes} bytes.`, { location: { path: 'body' } });
    }
    if (!request.body || typeof (request.body as NodeJS.ReadableStream).pipe !== 'function') {
      throw new BundleError('unsupported_media_type', 'Send the image as the raw request body with Content-Type application/octet-stream.', { location: { path: 'body' } });
    }
    try {
      const entry = await ctx.store.upload(request.body as NodeJS.ReadableStream as never, request.query.name, ctx.maxUploadBytes);
      return reply.code(201).send(imageJson(entry));
    } catch (e) {
      if (e instanceof BundleError && e.kind === 'payload_too_large') reply.header('connection', 'close');
      throw e;
    }
  });

  app.get('/api/data_dir', async () => ({ files: ctx.store.listDataDir() }));

  app.post<{ Body: { name: string } }>('/api/images/from_data_dir', { schema: { body: schemas.DataDirRequest } }, async (request, reply) => {
    return reply.code(201).send(imageJson(await ctx.store.fromDataDir(request.body.name)));
  });

  app.get<{ Params: { image_id: string } }>('/api/images/:image_id', { schema: { params: imageParams } }, (request, reply) => {
    const entry = ctx.store.image(request.params.image_id);
    return sendFile(reply, entry.file, entry.name);
  });

  app.delete<{ Params: { image_id: string } }>('/api/images/:image_id', { schema: { params: imageParams } }, async (request, reply) => {
    for (const gone of ctx.store.deleteImage(request.params.image_id)) forget(ctx, gone);
    return reply.code(204).send();
  });

  app.post<{ Params: { image_id: string }; Body: InferBody | undefined }>(
    '/api/images/:image_id/infer',
    { schema: { params: imageParams, body: routeSchema(schemas.InferRequest) } },
    async (request) => infer(ctx, ctx.store.image(request.params.image_id), request.body ?? {}),
  );

  app.get<{ Params: { result_id: string } }>('/api/results/:result_id', { schema: { params: resultParams } }, (request, reply) => {
    const entry = ctx.store.result(request.params.result_id);
    return sendFile(reply, entry.file, `result-${entry.id}.nii.gz`);
  });

  app.delete<{ Params: { result_id: string } }>('/api/results/:result_id', { schema: { params: resultParams } }, async (request, reply) => {
    for (const gone of ctx.store.deleteResult(request.params.result_id)) forget(ctx, gone);
    return reply.code(204).send();
  });

  return app;
}

/** Drops what memory holds for an id that was deleted or expired. */
export function forget(ctx: Pick<AppContext, 'preprocessed' | 'logits' | 'seeds'>, id: string): void {
  ctx.preprocessed.delete(id);
  ctx.logits.delete(id);
  ctx.seeds.delete(id);
}

/** Holds a result's network output for prev_result, only for the latest SEEDS_PER_IMAGE results of its image. */
function keepSeed(ctx: AppContext, imageId: string, resultId: string, logits: Volume): void {
  const ids = ctx.seeds.get(imageId) ?? [];
  ids.push(resultId);
  for (const old of ids.splice(0, Math.max(0, ids.length - SEEDS_PER_IMAGE))) ctx.logits.delete(old);
  ctx.seeds.set(imageId, ids);
  ctx.logits.set(resultId, logits);
}

function imageJson(entry: ImageEntry) {
  return { image_id: entry.id, name: entry.name, shape: entry.shape, bytes: entry.bytes };
}

function sendFile(reply: FastifyReply, file: string, name: string) {
  return reply
    .type('application/gzip')
    .header('content-disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`)
    .send(createReadStream(file));
}

async function infer(ctx: AppContext, image: ImageEntry, body: InferBody) {
  const { session, store } = ctx;
  const hasPrompts = body.label_prompt !== undefined || body.points !== undefined || body.point_labels !== undefined || body.prev_result !== undefined;
  if (session.mode === 'run' && hasPrompts) {
    throw new BundleError('invalid_request', `The bundle "${session.name}" takes no prompts: it is served in run mode.`, {
      hint: 'send an empty body {} to run the bundle on the image',
    });
  }
  checkLabelNames(body.label_prompt, session.channelDef);
  let prevMask: Volume | null = null;
  if (body.prev_result !== undefined) {
    const previous = store.result(body.prev_result);
    if (previous.imageId !== image.id) {
      throw new BundleError('invalid_prompt', 'prev_result belongs to another image.', { location: { path: 'prev_result' }, hint: 'give a result of the same image_id' });
    }
    if (!previous.reusable) {
      throw new BundleError('invalid_prompt', 'prev_result is a result of several labels; only a single-object result can seed another.', {
        location: { path: 'prev_result' },
        hint: 'give a result of one label prompt or of clicks',
      });
    }
    prevMask = ctx.logits.get(previous.id) ?? null;
    if (!prevMask) {
      throw new BundleError('not_found', `prev_result's network output is no longer held in memory (only the latest ${SEEDS_PER_IMAGE} results of an image are, within --cache_mb).`, {
        location: { path: 'prev_result' },
        hint: 'refine the latest result, or run the request without prev_result',
      });
    }
  }
  const prompts: Prompts = {};
  if (body.label_prompt !== undefined) prompts.label_prompt = body.label_prompt as number[];
  if (body.points !== undefined) prompts.points = body.points;
  if (body.point_labels !== undefined) prompts.point_labels = body.point_labels;

  return ctx.queue.run(async (queued) => {
    const t0 = performance.now();
    let preprocessed = ctx.preprocessed.get(image.id);
    const cached = preprocessed !== undefined;
    if (!preprocessed) {
      preprocessed = await session.preprocess(image.file);
      ctx.preprocessed.set(image.id, preprocessed);
    }
    const t1 = performance.now();
    try {
      const outcome = await session.infer(preprocessed, prompts, prevMask);
      const t2 = performance.now();
      const counts = labelSummary(await readNifti(outcome.outputFile), { ...session.channelDef, ...outcome.labelNames });
      const entry = store.addResult(image.id, outcome.outputFile, counts, outcome.logits !== null);
      if (outcome.logits) keepSeed(ctx, image.id, entry.id, outcome.logits);
      const t3 = performance.now();
      return {
        result_id: entry.id,
        image_id: image.id,
        labels: counts?.map((c) => ({ id: c.id, name: c.name, voxels: c.voxels, ml: c.volumeMl })) ?? null,
        reusable: entry.reusable,
        preprocessing_cached: cached,
        timings: {
          queue: queued,
          preprocessing: t1 - t0,
          inference: outcome.timings.inference,
          postprocessing: outcome.timings.postprocessing,
          total: queued + (t3 - t0),
        },
      };
    } finally {
      store.clearWork();
    }
  });
}

/** Names must be in the channel_def (ids are checked by the bundle's own prompt validation). */
function checkLabelNames(prompt: Array<number | string> | undefined, channelDef: Record<string, string>): void {
  const names = Object.values(channelDef);
  const known = new Set(names.map((n) => n.toLowerCase()));
  for (const [i, element] of (prompt ?? []).entries()) {
    if (typeof element !== 'string' || /^[0-9]+$/.test(element) || known.has(element.toLowerCase())) continue;
    const closest = closestNames(element, names);
    throw new BundleError('invalid_prompt', `"${element}" is not a label of this bundle.`, {
      location: { path: `label_prompt/${i}` },
      hint: closest.length ? `closest: ${closest.join(', ')}` : 'see GET /api/info for the labels',
      candidates: closest,
    });
  }
}
