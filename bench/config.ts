/**
 * Config engine benchmark. The generated config: N groups, each a plain value, a reference to the
 * previous group, an expression on two references and a `dict` component holding references and a list;
 * a final expression sums every 100th group's expression. Parse + full resolution time for N = 1,000 /
 * 5,000 / 20,000 (target: < 1 s at 5,000, linear growth), then `bundle resolve` start-up on a tiny config
 * (target: < 0.3 s wall, < 100 MB peak RSS, onnxruntime not loaded).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRegistry } from '../src/cli/registry.js';
import { loadConfig } from '../src/config/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function generatedConfig(n: number): Record<string, unknown> {
  const cfg: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    cfg[`g${i}`] = {
      value: i,
      prev: i === 0 ? 0 : `@g${i - 1}::value`,
      sum: `$@g${i}::value + @g${i}::prev`,
      comp: { _target_: 'dict', a: `@g${i}::value`, b: `@g${i}::sum`, l: [1, 2, `@g${i}::prev`] },
    };
  }
  const picks: string[] = [];
  for (let i = 0; i < n; i += 100) picks.push(`@g${i}::sum`);
  cfg.total = `$${picks.join(' + ')}`;
  return cfg;
}

async function loadAndResolve(file: string): Promise<{ wallMs: number; cpuMs: number; total: unknown }> {
  const registry = defaultRegistry();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const config = await loadConfig({ configFiles: [file], registry });
  const all = (await config.resolve('')) as { total: unknown };
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, total: all.total };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-config-'));
  try {
    const sizes = [1000, 5000, 20000];
    const files = new Map<number, string>();
    for (const n of sizes) {
      const file = path.join(dir, `configs/c${n}.json`);
      if (!existsSync(path.dirname(file))) spawnSync('mkdir', ['-p', path.dirname(file)]);
      writeFileSync(file, JSON.stringify(generatedConfig(n), null, 1));
      files.set(n, file);
    }
    await loadAndResolve(files.get(1000)!); // warm-up: JIT and module loading
    console.log('parse + resolve the whole generated config (best of 3; wall and CPU; the machine may be shared)');
    console.log('      N | wall ms | cpu ms | us/group (wall) | total');
    for (const n of sizes) {
      const runs = [];
      for (let k = 0; k < 3; k++) runs.push(await loadAndResolve(files.get(n)!));
      const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
      const bestCpu = Math.min(...runs.map((r) => r.cpuMs));
      console.log(
        `${String(n).padStart(7)} | ${best.wallMs.toFixed(0).padStart(7)} | ${bestCpu.toFixed(0).padStart(6)} | ${((best.wallMs * 1000) / n).toFixed(1).padStart(15)} | ${String(best.total)}`,
      );
    }

    const cli = path.join(repo, 'dist', 'cli', 'main.js');
    if (!existsSync(cli)) {
      console.log('\nCLI start-up: skipped (dist/cli/main.js is missing; run `npm run build`)');
      return;
    }
    const tiny = path.join(dir, 'configs/tiny.json');
    writeFileSync(tiny, JSON.stringify({ a: 1, b: '@a', c: '$@b + 1', d: { _target_: 'dict', x: '@c' } }));
    // reports peak RSS and whether any onnxruntime library was mapped, at exit
    const probe =
      "data:text/javascript,process.on('exit',()=>{let m='';try{m=process.getBuiltinModule('fs').readFileSync('/proc/self/maps','utf8')}catch{};process.stderr.write('\\nPROBE '+process.resourceUsage().maxRSS+' '+/onnxruntime/.test(m)+'\\n')})";
    const walls: number[] = [];
    const rss: number[] = [];
    let onnx = false;
    for (let k = 0; k < 7; k++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ['--import', probe, cli, 'resolve', 'd', '--config_file', tiny], { encoding: 'utf8' });
      walls.push(performance.now() - t0);
      const m = /PROBE (\d+) (true|false)/.exec(r.stderr);
      if (r.status !== 0 || !m) throw new Error(`bundle resolve failed: ${r.stderr}`);
      rss.push(Number(m[1]) / 1024);
      onnx ||= m[2] === 'true';
    }
    console.log('\n`bundle resolve d --config_file tiny.json` (7 runs)');
    const cpu = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, cli, 'resolve', 'd', '--config_file', tiny], { encoding: 'utf8' });
    const [user, sys] = (cpu.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
    console.log(`  wall: median ${median(walls).toFixed(0)} ms, best ${Math.min(...walls).toFixed(0)} ms`);
    if (user !== undefined && sys !== undefined && !Number.isNaN(user)) console.log(`  CPU (user+sys, /usr/bin/time): ${((user + sys) * 1000).toFixed(0)} ms`);
    console.log(`  peak RSS: median ${median(rss).toFixed(0)} MB`);
    console.log(`  onnxruntime loaded: ${onnx ? 'YES (should not be)' : 'no'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
