/**
 * onnxruntime-node sessions: loaded lazily (the package is imported on first use, never at module load, so
 * commands that run no network never load it), once per (model file, options) per process, on the first
 * execution provider of the preference list that works here. Providers that are unavailable are reported in
 * one warning; `cpu` always works and ends every list.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { boundThreads } from '../util/limits.js';
import { BundleError } from '../errors/index.js';
import type { Logger } from '../registry/ComponentEntry.js';
import type { TensorType } from './types.js';

type Ort = typeof import('onnxruntime-node');
export type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'coreml', 'dml'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimizationLevel = (typeof GRAPH_OPTIMIZATION_LEVELS)[number];

export interface SessionOptions {
  /** in order of preference; `cpu` is appended when absent. Default ['cpu'] */
  executionProviders?: readonly string[];
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: GraphOptimizationLevel;
  /**
   * onnxruntime's CPU memory arena (default on). Off, freed activations go back to the system instead of
   * staying reserved: lower peak memory for large whole-volume networks, sometimes slower.
   */
  enableCpuMemArena?: boolean;
  /**
   * onnxruntime's memory pattern: after the first run it plans one block for every activation and allocates
   * it, beside what the arena already holds when the arena is on. Default: off while the arena is on (three
   * runs each of three windows, 2 threads: full-size wholeBody SegResNet 2030 -> 1648 MB peak, pediatric
   * DynUNet 1544 -> 958 MB, no slower), onnxruntime's default (on) while it is off.
   */
  enableMemPattern?: boolean;
}

/** A model input or output as the model declares it: dims are numbers, or names/null for dynamic ones. */
export interface ValueInfo {
  name: string;
  type?: string;
  dims?: (number | string | null)[];
}

export interface LoadedSession {
  ort: Ort;
  session: OrtSession;
  modelPath: string;
  /** the provider the session runs on */
  provider: ExecutionProvider;
  /** providers asked for before it that were unavailable, with the reason */
  unavailable: { provider: string; reason: string }[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** the memory pattern's default for a session with the arena on or off (see SessionOptions.enableMemPattern) */
export function memPatternDefault(arena: boolean): boolean {
  return !arena;
}

let ortModule: Promise<Ort> | undefined;

/** onnxruntime-node, imported on first call. Its own log is limited to fatal errors: we report failures ourselves. */
export function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((ort) => {
    ort.env.logLevel = 'fatal';
    return ort;
  });
  return ortModule;
}

const sessions = new Map<string, Promise<LoadedSession>>();
/** per logger, providers already named in a warning: a bundle of several graphs warns once per missing provider */
const reported = new WeakMap<Logger, Set<string>>();

/** The session for `modelPath` with `options`, created on first request and shared afterwards. */
export function getSession(modelPath: string, options: SessionOptions = {}, logger?: Logger): Promise<LoadedSession> {
  if (!existsSync(modelPath)) {
    throw new BundleError('model_not_found', `Model file ${modelPath} does not exist.`, { location: { file: modelPath } });
  }
  const providers = providerList(options.executionProviders);
  const warn = (what: string) => (message: string) => logger?.warn(`${what}: ${message} (more threads than cores only cost memory)`);
  options = {
    ...options,
    intraOpNumThreads: boundThreads(options.intraOpNumThreads, warn('intra_op_num_threads')),
    interOpNumThreads: boundThreads(options.interOpNumThreads, warn('inter_op_num_threads')),
  };
  const key = JSON.stringify([realpathSync(modelPath), providers, options.intraOpNumThreads, options.interOpNumThreads, options.graphOptimizationLevel, options.enableCpuMemArena ?? true, options.enableMemPattern ?? memPatternDefault(options.enableCpuMemArena ?? true)]);
  let loaded = sessions.get(key);
  if (!loaded) {
    loaded = createSession(modelPath, providers, options, logger);
    sessions.set(key, loaded);
    loaded.catch(() => sessions.delete(key));
  }
  return loaded;
}

/** The preference list, checked, deduplicated and ending with cpu. */
export function providerList(requested: readonly string[] = ['cpu']): ExecutionProvider[] {
  const list: ExecutionProvider[] = [];
  for (const name of requested) {
    const p = String(name).toLowerCase();
    if (!(EXECUTION_PROVIDERS as readonly string[]).includes(p)) {
      throw new BundleError('invalid_arguments', `Unknown execution provider "${name}".`, {
        hint: `execution providers are ${EXECUTION_PROVIDERS.join(', ')}`,
      });
    }
    if (!list.includes(p as ExecutionProvider)) list.push(p as ExecutionProvider);
  }
  if (!list.includes('cpu')) list.push('cpu');
  return list.slice(0, list.indexOf('cpu') + 1);
}

async function createSession(modelPath: string, providers: ExecutionProvider[], options: SessionOptions, logger?: Logger): Promise<LoadedSession> {
  const ort = await loadOrt();
  const available = new Set(ort.listSupportedBackends().map((b) => b.name));
  const unavailable: { provider: string; reason: string }[] = [];
  const base = {
    ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    ...(options.interOpNumThreads ? { interOpNumThreads: options.interOpNumThreads } : {}),
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    enableCpuMemArena: options.enableCpuMemArena ?? true,
    enableMemPattern: options.enableMemPattern ?? memPatternDefault(options.enableCpuMemArena ?? true),
    // onnxruntime-node runs on the JS thread; spinning pool threads would steal the CPU that windowing and
    // stitching need between runs (measured: JS work between runs took 1.5-2x as long with spinning on)
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  for (const provider of providers) {
    if (provider !== 'cpu' && !available.has(provider)) {
      unavailable.push({ provider, reason: 'not built into this onnxruntime-node' });
      continue;
    }
    try {
      const executionProviders = provider === 'cpu' ? ['cpu'] : [provider, 'cpu'];
      const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders });
      if (unavailable.length > 0 && logger) {
        const seen = reported.get(logger) ?? new Set<string>();
        reported.set(logger, seen);
        const fresh = unavailable.filter((u) => !seen.has(u.provider));
        const names = (fresh.length > 0 ? fresh : unavailable).map((u) => `${u.provider} (${u.reason})`).join(', ');
        const text = `execution provider${unavailable.length > 1 ? 's' : ''} ${names} unavailable; running ${path.basename(modelPath)} on ${provider}`;
        if (fresh.length > 0) logger.warn(text);
        else logger.info(text);
        for (const u of unavailable) seen.add(u.provider);
      }
      return { ort, session, modelPath, provider, unavailable, inputs: valueInfos(session, 'input'), outputs: valueInfos(session, 'output') };
    } catch (e) {
      if (provider === 'cpu') {
        throw new BundleError('model_error', `onnxruntime could not load model ${modelPath}.`, { cause: e, location: { file: modelPath } });
      }
      unavailable.push({ provider, reason: firstLine(e) });
    }
  }
  throw new Error('unreachable: cpu ends every provider list');
}

function valueInfos(session: OrtSession, kind: 'input' | 'output'): ValueInfo[] {
  const names = kind === 'input' ? session.inputNames : session.outputNames;
  const metadata = (kind === 'input' ? session.inputMetadata : session.outputMetadata) as unknown as readonly unknown[] | undefined;
  return names.map((name, i) => {
    const m = metadata?.[i] as { isTensor?: boolean; type?: string; shape?: readonly (number | string)[] } | undefined;
    if (!m || !m.isTensor) return { name };
    return { name, type: m.type, dims: m.shape?.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' ? d : null)) };
  });
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n')[0];
  return (/(Failed to .*)$/.exec(line)?.[1] ?? line).slice(0, 160);
}

/** Element types the interpreter's Tensor can hold. */
export function isTensorType(type: string): type is TensorType {
  return ['float32', 'int64', 'int32', 'bool', 'uint8', 'float16'].includes(type);
}
