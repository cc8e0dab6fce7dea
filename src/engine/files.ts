/** Version facts for run summaries; atomic writes come from src/util/atomicWrite.ts. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
export { writeFileAtomic } from '../util/atomicWrite.js';

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
