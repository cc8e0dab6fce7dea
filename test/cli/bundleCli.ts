/** Runs the built CLI (`node dist/cli/main.js`) the way users do; the suite must be built first (`npm run build`). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { repoPath } from '../helpers/shared.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const CLI = repoPath('dist', 'cli', 'main.js');

export function bundleCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the CLI tests`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
