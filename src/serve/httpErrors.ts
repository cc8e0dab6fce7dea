/**
 * Errors over HTTP: the CLI's typed errors as JSON `{kind, message, where, hint}`, with a status code per
 * kind (data, below). Kinds not listed are failures of the bundle or the server: 500.
 */
import { BundleError, BundleErrorList, type ErrorKind } from '../errors/index.js';

const STATUS: Partial<Record<ErrorKind, number>> = {
  usage: 400,
  invalid_request: 400,
  invalid_prompt: 400,
  invalid_override: 400,
  unauthorized: 401,
  path_not_allowed: 403,
  not_found: 404,
  image_not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_image: 422,
  unsupported_image: 422,
  invalid_data: 422,
  server_busy: 503,
};

export interface ErrorBody {
  kind: string;
  message: string;
  where: string | null;
  hint: string;
}

export function statusOf(kind: ErrorKind): number {
  return STATUS[kind] ?? 500;
}

/** The status and body for anything thrown while answering a request. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  const e = error instanceof BundleErrorList ? error.errors[0] : error;
  if (e instanceof BundleError) {
    return { status: statusOf(e.kind), body: { kind: e.kind, message: e.message, where: whereOf(e), hint: e.hint } };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    status: 500,
    body: { kind: 'internal', message, where: null, hint: 'this is a bug in the interpreter; please report it with the request and the server log' },
  };
}

function whereOf(e: BundleError): string | null {
  const { file, id, path } = e.location;
  const parts = [file, id !== undefined ? `id ${id}` : undefined, path ? `at ${path}` : undefined].filter(Boolean);
  return parts.length ? parts.join(', ') : null;
}
