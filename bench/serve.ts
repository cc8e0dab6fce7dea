/**
 * `bundle serve` as a person uses it, with the shipped bundle and its default settings (1.5 mm, patch 128),
 * the server started by the built CLI on a loopback port:
 * - first click: upload + preprocessing + inference of one click (label prompt [3] with a point), wall time
 *   seen by the client;
 * - next clicks on the same image: preprocessing from the cache, point windows only, each seeded with the
 *   previous result (prev_result);
 * - 50 clicks over 3 images (the sample CT and two synthetic CTs), the server's RSS (/proc) after each.
 * Target (issue 11): next click under 1 s with the demo network on 2 cores; RSS under 2 GB and not growing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticCtFile } from './image.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'dist', 'cli', 'main.js');
const SAMPLE = path.join(repo, 'bundle', 'sample', 'totalseg_example_ct_sm.nii.gz');
const CLICKS = 50;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function post(url: string, body: unknown): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function upload(base: string, file: string): Promise<{ image_id: string; shape: number[] }> {
  const response = await fetch(`${base}api/images?name=${path.basename(file)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: readFileSync(file),
  });
  if (!response.ok) throw new Error(`upload of ${file}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { image_id: string; shape: number[] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('bench/serve.ts runs the built CLI: npm run build first');
  const images = [
    SAMPLE,
    await syntheticCtFile({ shape: [160, 160, 80], spacing: [2, 2, 2.5] }),
    await syntheticCtFile({ shape: [192, 192, 64], spacing: [1.8, 1.8, 3] }),
  ];
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const t0 = performance.now();
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /at (http:\/\/\S+\/)/.exec(stdout);
        if (m) resolve((clearInterval(timer), m[1]!));
        if (child.exitCode !== null) reject((clearInterval(timer), new Error(`bundle serve exited: ${stderr}`)));
      }, 50);
    });
    console.log(`server ready in ${((performance.now() - t0) / 1000).toFixed(1)} s, RSS ${rssMb(child.pid!).toFixed(0)} MB`);

    const state: Array<{ id: string; shape: number[]; last: string | null }> = [];
    const first: number[] = [];
    const next: number[] = [];
    const serverSide: number[] = [];
    const rss: number[] = [];
    for (let click = 0; click < CLICKS; click++) {
      const which = click % images.length;
      const started = performance.now();
      if (!state[which]) {
        const entry = await upload(base, images[which]!);
        state[which] = { id: entry.image_id, shape: entry.shape, last: null };
      }
      const image = state[which]!;
      // clicks wander around the middle of the body, a few voxels apart
      const point = image.shape.map((s, axis) => Math.round(s / 2 + ((click * (axis + 3)) % 9) - 4));
      const body: Record<string, unknown> = { label_prompt: [3], points: [point], point_labels: [1] };
      if (image.last) body.prev_result = image.last;
      const result = await post(`${base}api/images/${image.id}/infer`, body);
      const ms = performance.now() - started;
      image.last = result.result_id;
      (result.preprocessing_cached ? next : first).push(ms);
      if (result.preprocessing_cached) serverSide.push(result.timings.total);
      rss.push(rssMb(child.pid!));
    }
    console.log('click latency, wall time at the client (ms)');
    console.log(`  first click (upload + preprocessing + inference), per image: ${first.map((m) => m.toFixed(0)).join(', ')}`);
    console.log(`  next clicks (${next.length}): median ${median(next).toFixed(0)}, min ${Math.min(...next).toFixed(0)}, max ${Math.max(...next).toFixed(0)} (server side median ${median(serverSide).toFixed(0)})`);
    console.log(`server RSS (MB) after clicks 1, 10, 20, 30, 40, 50: ${[0, 9, 19, 29, 39, 49].map((i) => rss[i]!.toFixed(0)).join(', ')}; max ${Math.max(...rss).toFixed(0)}`);
    console.log(`target: next click < 1000 ms: ${median(next) < 1000 ? 'met' : 'NOT met'}; RSS < 2048 MB: ${Math.max(...rss) < 2048 ? 'met' : 'NOT met'}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
