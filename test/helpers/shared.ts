/**
 * The one way tests reach ../shared (reference data beside the checkout). When it is absent, the calling
 * suite is skipped with a message saying so, instead of failing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env.BUNDLE_SHARED_DIR ?? path.resolve(repoRoot, '..', 'shared');

export function repoPath(...parts: string[]): string {
  return path.join(repoRoot, ...parts);
}

/** Absolute path of a file under ../shared, or skips the current mocha test/suite when it is missing. */
export function sharedPath(ctx: Mocha.Context, ...parts: string[]): string {
  const p = path.join(SHARED_DIR, ...parts);
  if (!existsSync(p)) {
    console.log(`      (skipped: ${path.join('..', 'shared', ...parts)} is not present beside the checkout)`);
    ctx.skip();
  }
  return p;
}

export function hasShared(...parts: string[]): boolean {
  return existsSync(path.join(SHARED_DIR, ...parts));
}
