/** Capturing the BundleError a call throws, for tests that check its kind, message and location. */
import { BundleError } from '../../src/errors/index.js';

/** The BundleError a promise (or value) rejects with; anything else fails the test. */
export async function rejection(p: unknown | Promise<unknown>): Promise<BundleError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BundleError) return e;
    throw e;
  }
  throw new Error('expected a BundleError, but nothing was thrown');
}

/** The BundleError a synchronous call throws; anything else fails the test. */
export function thrown(fn: () => unknown): BundleError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BundleError) return e;
    throw e;
  }
  throw new Error('expected a BundleError, but nothing was thrown');
}
