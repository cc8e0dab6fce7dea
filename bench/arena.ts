/**
 * onnxruntime's CPU memory arena on and off for the MeshNet brain bundle (issue 13, "defaults that cost
 * users time"): `bundle run` of examples/brain-meshnet on its 256^3 sample, spawned whole under GNU time,
 * alternating arena on/off, RUNS times each. Prints wall, user, sys, peak RSS and page faults per run and the
 * medians, with the machine's load average (the figures mean little on a loaded machine). Needs a build and
 * /usr/bin/time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(repo, 'examples', 'brain-meshnet');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const RUNS = Number(process.env.ARENA_RUNS ?? 3);

interface Figures {
  wall: number;
  user: number;
  sys: number;
  rssMb: number;
  minorFaults: number;
}

async function runOnce(arena: boolean): Promise<Figures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arena-'));
  const timeFile = path.join(dir, 'time.txt');
  const args = ['-f', '%e %U %S %M %R', '-o', timeFile, process.execPath, CLI, 'run', '--config_file', 'configs/inference.json', '--cpu_mem_arena', String(arena), '--output_dir', path.join(dir, 'out'), '--quiet'];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('/usr/bin/time', args, { cwd: BUNDLE, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', resolve);
  });
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!;
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`bundle run exited with ${code}`);
  const [wall, user, sys, rssKb, minor] = last.split(' ').map(Number) as [number, number, number, number, number];
  return { wall, user, sys, rssMb: Math.round(rssKb / 1024), minorFaults: minor };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
  const results: Record<'on' | 'off', Figures[]> = { on: [], off: [] };
  for (let k = 0; k < RUNS; k++) {
    for (const arena of [true, false]) {
      const f = await runOnce(arena);
      results[arena ? 'on' : 'off'].push(f);
      console.log(`arena ${arena ? 'on ' : 'off'} run ${k + 1}: wall ${f.wall.toFixed(1)} s, user ${f.user.toFixed(1)} s, sys ${f.sys.toFixed(1)} s, peak RSS ${f.rssMb} MB, minor faults ${f.minorFaults}`);
    }
  }
  for (const key of ['on', 'off'] as const) {
    const r = results[key];
    console.log(`median arena ${key}: wall ${median(r.map((f) => f.wall)).toFixed(1)} s, user ${median(r.map((f) => f.user)).toFixed(1)} s, sys ${median(r.map((f) => f.sys)).toFixed(1)} s, peak RSS ${median(r.map((f) => f.rssMb))} MB`);
  }
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
