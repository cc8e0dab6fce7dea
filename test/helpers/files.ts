/** Every regular file under `dir` (recursively), as absolute paths; none when `dir` does not exist. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
