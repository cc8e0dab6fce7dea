/** Small file-system helpers of the engine: atomic JSON writes and version facts for run summaries. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BundleError } from '../errors/index.js';

/** Writes `text` to a temporary file beside `file`, then renames it, so no half-written file is ever seen. */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new BundleError('write_failed', `Could not write ${file}: ${(e as Error).message}`, {
      cause: e,
      location: { file },
    });
  }
}

const require = createRequire(import.meta.url);

function packageVersion(request: string): string | null {
  try {
    return (require(request) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/** This interpreter's version, from the package.json above src/ (or dist/). */
function ownVersion(): string | null {
  try {
    const here = path.dirname(new URL(import.meta.url).pathname);
    const pkg = JSON.parse(readFileSync(path.resolve(here, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

/** node, onnxruntime-node (read from its package.json: onnxruntime itself is not loaded) and ours. */
export function runtimeVersions(): Record<string, string | null> {
  return {
    node: process.versions.node,
    'onnxruntime-node': packageVersion('onnxruntime-node/package.json'),
    'monai-bundle-ts': ownVersion(),
  };
}
