/**
 * Harness for hostile-input suites: runs the real built CLI (`node dist/cli/main.js ...`, build first with
 * `npm run build`) on one case under a wall bound and a peak-RSS bound, and classifies what happened.
 *
 * Exports (the whole interface):
 * - `HostileCase`: { name, args, cwd?, env?, outputDir?, allowOnFailure?, wallMs?, rssMb? }
 *     args are the CLI arguments after `main.js`; outputDir is the folder checked for leftovers (snapshotted
 *     before the run: only files that appear or change count); allowOnFailure matches relative paths that may
 *     stay after a failed run (default: none).
 * - `Outcome` = 'success' | 'typed_error' | 'crash' | 'hang'
 * - `CaseResult`: { name, outcome, reason, exitCode, signal, wallMs, peakRssMb, leftovers, stderrHead }
 *     reason says why a crash is a crash (signal, exit code, stack trace, untyped error, RSS bound).
 * - `LIMITS`: the default bounds, { wallMs: 30000, rssMb: 2048 }.
 * - `runCase(c)`: Promise<CaseResult>
 * - `runCases(cases, { concurrency = 2, onResult? })`: Promise<CaseResult[]> in input order
 * - `isBad(r)`: true when a result breaks the rule (crash, hang or any leftover)
 * - `formatTable(results, title?)`: the table (cases, typed errors, successes, crashes, hangs, leftovers)
 *     followed by one line per bad case; `printTable` writes it to stdout.
 *
 * Outcomes: success = exit 0 and no stack trace; typed_error = exit 1 or 2 with an `error[kind]` line (or a
 * `--json` error object) whose kind is not `internal`, and no stack trace; hang = the wall bound passed (the
 * whole process group is killed); crash = anything else (a signal, exit 3, a stack trace, an untyped error,
 * the RSS bound passed: the child is killed as soon as a poll sees it over the bound).
 * Leftovers: new or changed files in outputDir that look temporary or partial (`*.tmp`, `*.part`, hidden
 * `.name.<pid>.<hex>.tmp`), and any new or changed file at all when the run did not succeed.
 *
 * Peak RSS comes from `/usr/bin/time -f %M` (the kernel's ru_maxrss of the node process, exact) when it exists,
 * else from the highest VmHWM seen by the poll of /proc/<pid>/status (every 50 ms).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoPath } from '../../helpers/shared.js';

export interface HostileCase {
  name: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  outputDir?: string;
  allowOnFailure?: RegExp;
  wallMs?: number;
  rssMb?: number;
}

export type Outcome = 'success' | 'typed_error' | 'crash' | 'hang';

export interface CaseResult {
  name: string;
  outcome: Outcome;
  reason: string;
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  peakRssMb: number;
  leftovers: string[];
  stderrHead: string;
}

export const LIMITS = { wallMs: 30_000, rssMb: 2048 };

const CLI = repoPath('dist', 'cli', 'main.js');
const TIME = '/usr/bin/time';
const OUTPUT_CAP = 1 << 20;
const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;
const TYPED_LINE = /^error\[([a-z_]+)\]/m;
const JSON_KIND = /"kind"\s*:\s*"([a-z_]+)"/;
const TEMP_NAME = /(\.tmp|\.part|\.partial|~)$/;

function snapshot(dir: string | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (!dir || !existsSync(dir)) return files;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p, { throwIfNoEntry: false });
        files.set(path.relative(dir, p), s ? `${s.size}:${s.mtimeMs}:${s.ino}` : 'gone');
      }
    }
  };
  walk(dir);
  return files;
}

function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The node process: the child of /usr/bin/time, or the spawned process itself. */
function nodePid(pid: number, viaTime: boolean): number | null {
  if (!viaTime) return pid;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : null;
  } catch {
    return null;
  }
}

export async function runCase(c: HostileCase): Promise<CaseResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the hostile-input suites`);
  const wallLimit = c.wallMs ?? LIMITS.wallMs;
  const rssLimitKb = (c.rssMb ?? LIMITS.rssMb) * 1024;
  const before = snapshot(c.outputDir);
  const viaTime = existsSync(TIME);
  const timeDir = viaTime ? mkdtempSync(path.join(os.tmpdir(), 'hostile-time-')) : '';
  const timeFile = path.join(timeDir, 'rss');
  const command = viaTime ? TIME : process.execPath;
  const args = viaTime ? ['-o', timeFile, '-f', '%M', process.execPath, CLI, ...c.args] : [CLI, ...c.args];
  const t0 = Date.now();
  const child = spawn(command, args, {
    cwd: c.cwd,
    env: { ...process.env, NODE_OPTIONS: '', ...c.env },
    detached: true, // its own process group, so a hang is killed whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => stdout.length < OUTPUT_CAP && (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => stderr.length < OUTPUT_CAP && (stderr += d.toString()));
  let killedFor: 'hang' | 'rss' | null = null;
  let polledHwmKb = 0;
  const kill = (why: 'hang' | 'rss'): void => {
    if (killedFor) return;
    killedFor = why;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const poll = setInterval(() => {
    const pid = nodePid(child.pid!, viaTime);
    if (pid !== null) {
      polledHwmKb = Math.max(polledHwmKb, readStatusKb(pid, 'VmHWM'));
      if (readStatusKb(pid, 'VmRSS') > rssLimitKb) kill('rss');
    }
    if (Date.now() - t0 > wallLimit) kill('hang');
  }, 50);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => clearInterval(poll));
  const wallMs = Date.now() - t0;

  let exitCode = code;
  let sig: string | null = signal;
  let peakKb = polledHwmKb;
  if (viaTime) {
    // time writes "Command terminated by signal N" / "Command exited with non-zero status N" before %M
    const text = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
    const lines = text.trim().split('\n');
    peakKb = Math.max(peakKb, Number(lines[lines.length - 1]) || 0);
    const bySignal = /terminated by signal (\d+)/.exec(text);
    if (bySignal) {
      sig = os.constants.signals ? (Object.entries(os.constants.signals).find(([, n]) => n === Number(bySignal[1]))?.[0] ?? bySignal[1]!) : bySignal[1]!;
      exitCode = null;
    }
    rmSync(timeDir, { recursive: true, force: true });
  }
  const peakRssMb = Math.round(peakKb / 1024);

  const output = `${stderr}\n${stdout}`;
  const typedKind = TYPED_LINE.exec(stderr)?.[1] ?? JSON_KIND.exec(stderr)?.[1] ?? null;
  let outcome: Outcome;
  let reason: string;
  if (killedFor === 'hang') [outcome, reason] = ['hang', `still running after ${wallLimit} ms`];
  else if (killedFor === 'rss' || peakKb > rssLimitKb) [outcome, reason] = ['crash', `peak RSS ${peakRssMb} MB over ${rssLimitKb / 1024} MB`];
  else if (sig) [outcome, reason] = ['crash', `killed by ${sig}`];
  else if (STACK_LINE.test(output)) [outcome, reason] = ['crash', `stack trace printed (exit ${exitCode})`];
  else if (exitCode === 0) [outcome, reason] = ['success', 'exit 0'];
  else if ((exitCode === 1 || exitCode === 2) && typedKind && typedKind !== 'internal') [outcome, reason] = ['typed_error', `error[${typedKind}]`];
  else [outcome, reason] = ['crash', typedKind ? `exit ${exitCode} with error[${typedKind}]` : `exit ${exitCode} without an error[kind] line`];

  const after = snapshot(c.outputDir);
  const leftovers: string[] = [];
  for (const [rel, stamp] of after) {
    if (before.get(rel) === stamp) continue;
    const temp = TEMP_NAME.test(rel) || /(^|\/)\.[^/]+\.\d+\.[0-9a-f]+\.tmp$/.test(rel);
    if (temp || (outcome !== 'success' && !c.allowOnFailure?.test(rel))) leftovers.push(rel);
  }
  return { name: c.name, outcome, reason, exitCode, signal: sig, wallMs, peakRssMb, leftovers, stderrHead: stderr.slice(0, 400) };
}

export async function runCases(
  cases: readonly HostileCase[],
  options: { concurrency?: number; onResult?: (r: CaseResult, done: number) => void } = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const k = next++;
      results[k] = await runCase(cases[k]!);
      options.onResult?.(results[k]!, ++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return results;
}

export function isBad(r: CaseResult): boolean {
  return r.outcome === 'crash' || r.outcome === 'hang' || r.leftovers.length > 0;
}

export function formatTable(results: readonly CaseResult[], title = 'hostile-input cases'): string {
  const count = (o: Outcome): number => results.filter((r) => r.outcome === o).length;
  const row = {
    cases: results.length,
    'typed errors': count('typed_error'),
    successes: count('success'),
    crashes: count('crash'),
    hangs: count('hang'),
    leftovers: results.filter((r) => r.leftovers.length > 0).length,
  };
  const heads = Object.keys(row);
  const cells = Object.values(row).map(String);
  const widths = heads.map((h, k) => Math.max(h.length, cells[k]!.length));
  const line = (xs: string[]): string => `| ${xs.map((x, k) => x.padStart(widths[k]!)).join(' | ')} |`;
  const out = [title, line(heads), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, line(cells)];
  const slowest = [...results].sort((a, b) => b.wallMs - a.wallMs)[0];
  const fattest = [...results].sort((a, b) => b.peakRssMb - a.peakRssMb)[0];
  if (slowest && fattest) out.push(`slowest: ${slowest.name} ${slowest.wallMs} ms; largest peak RSS: ${fattest.name} ${fattest.peakRssMb} MB`);
  for (const r of results.filter(isBad)) {
    const extra = r.leftovers.length ? `; leftovers: ${r.leftovers.join(', ')}` : '';
    out.push(`  BAD ${r.name}: ${r.outcome} (${r.reason})${extra}\n      ${r.stderrHead.split('\n').slice(0, 3).join('\n      ')}`);
  }
  return out.join('\n');
}

export function printTable(results: readonly CaseResult[], title?: string): void {
  process.stdout.write(formatTable(results, title) + '\n');
}
