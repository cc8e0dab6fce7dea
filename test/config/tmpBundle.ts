/** Temporary bundles for tests: files (path -> JSON value or raw text) written under a fresh folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function writeFiles(dir: string, files: Record<string, unknown>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}

export class TmpDirs {
  private readonly dirs: string[] = [];
  /** A fresh folder holding `files`; removed by cleanup(). */
  bundle(files: Record<string, unknown>): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bundle-test-'));
    this.dirs.push(dir);
    writeFiles(dir, files);
    return dir;
  }
  cleanup(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
