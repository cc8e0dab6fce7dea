import { type ErrorKind, KINDS } from './kinds.js';

/** Where a raw config value came from. */
export interface Origin {
  source: 'file' | 'merge' | 'macro' | 'cli' | 'default';
  file?: string;
  line?: number;
  column?: number;
  /** free text: the CLI argument, the macro text, the merge key */
  detail?: string;
  /** the origin of the value this one replaced, if any */
  overrode?: Origin;
}

export interface ErrorLocation {
  /** the config id of the item concerned, canonical `a::b::0` form */
  id?: string;
  origin?: Origin;
  /** a path inside the value: an ajv instancePath, a JSONata position, a file path for image errors */
  path?: string;
  file?: string;
}

export interface BundleErrorOptions {
  hint?: string;
  location?: ErrorLocation;
  cause?: unknown;
  candidates?: string[];
  cycle?: string[];
}

/**
 * The one error type of the interpreter. `kind` is stable; `message` is one sentence without location;
 * `hint` says what to do next; `location` says where.
 */
export class BundleError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string;
  readonly location: ErrorLocation;
  readonly candidates?: string[];
  readonly cycle?: string[];

  constructor(kind: ErrorKind, message: string, options: BundleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BundleError';
    this.kind = kind;
    this.hint = options.hint ?? KINDS[kind].hint;
    this.location = options.location ?? {};
    if (options.candidates) this.candidates = options.candidates;
    if (options.cycle) this.cycle = options.cycle;
  }

  get exitCode(): number {
    return KINDS[this.kind].exitCode;
  }

  /** A copy with location fields filled in where they were unknown. */
  withLocation(location: ErrorLocation): BundleError {
    const merged = { ...location, ...stripUndefined(this.location) };
    const copy = new BundleError(this.kind, this.message, {
      hint: this.hint,
      location: merged,
      cause: this.cause,
      candidates: this.candidates,
      cycle: this.cycle,
    });
    copy.stack = this.stack;
    return copy;
  }
}

/** Several problems reported at once (check, workflow properties, argument validation). */
export class BundleErrorList extends Error {
  readonly errors: BundleError[];
  constructor(errors: BundleError[], summary?: string) {
    super(summary ?? `${errors.length} problem${errors.length === 1 ? '' : 's'} found`);
    this.name = 'BundleErrorList';
    this.errors = errors;
  }
  get exitCode(): number {
    return Math.max(...this.errors.map((e) => e.exitCode), 1);
  }
}

export function isBundleError(e: unknown): e is BundleError {
  return e instanceof BundleError;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
