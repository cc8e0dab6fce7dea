/**
 * Config engine benchmark. The generated config: N groups, each a plain value, a reference to the
 * previous group, an expression on two references and a `dict` component holding references and a list;
 * a final expression sums every 100th group's expression. Parse + full resolution time for N = 1,000 /
 * 5,000 / 20,000 (target: < 1 s at 5,000, linear growth), then `bundle resolve` start-up on a tiny config
 * (target: < 0.3 s wall, < 100 MB peak RSS, onnxruntime not loaded): wall, the child's own CPU time and peak
 * RSS, min and median of 10 runs, next to `node -e 0` (the machine may be shared: CPU time is the steadier).
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

    const cliPath = path.join(repo, 'dist', 'cli', 'main.js');
    if (!existsSync(cliPath)) {
      console.log('\nCLI start-up: skipped (dist/cli/main.js is missing; run `npm run build`)');
      return;
    }
    const tiny = path.join(dir, 'configs/tiny.json');
    writeFileSync(tiny, JSON.stringify({ a: 1, b: '@a', c: '$@b + 1', d: { _target_: 'dict', x: '@c' } }));
    // the child reports, at exit, its own peak RSS and CPU time and whether any onnxruntime library was mapped
    const probe =
      "data:text/javascript,process.on('exit',()=>{let m='';try{m=process.getBuiltinModule('fs').readFileSync('/proc/self/maps','utf8')}catch{};const u=process.resourceUsage();process.stderr.write('\\nPROBE '+u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime)+' '+/onnxruntime/.test(m)+'\\n')})";
    const measure = (args: string[]) => {
      const walls: number[] = [];
      const cpus: number[] = [];
      const rss: number[] = [];
      let onnx = false;
      for (let k = 0; k < 10; k++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, ['--import', probe, ...args], { encoding: 'utf8' });
        walls.push(performance.now() - t0);
        const m = /PROBE (\d+) (\d+) (true|false)/.exec(r.stderr);
        if (r.status !== 0 || !m) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
        rss.push(Number(m[1]) / 1024);
        cpus.push(Number(m[2]) / 1000);
        onnx ||= m[3] === 'true';
      }
      return { walls, cpus, rss, onnx };
    };
    const row = (label: string, xs: number[], unit: string) =>
      console.log(`  ${label.padEnd(22)} ${Math.min(...xs).toFixed(0).padStart(5)} ${median(xs).toFixed(0).padStart(7)} ${unit}`);
    const baseline = measure(['-e', '0']);
    const load = os.loadavg()[0]!;
    const cli = measure([cliPath, 'resolve', 'd', '--config_file', tiny]);
    console.log(`\n\`bundle resolve d --config_file tiny.json\` (10 runs each; load average ${load.toFixed(1)} on ${os.cpus().length} cores)`);
    console.log('                           min  median');
    row('wall', cli.walls, 'ms   (target < 300)');
    row('CPU (user+sys)', cli.cpus, 'ms');
    row('peak RSS', cli.rss, 'MB   (target < 100)');
    row('node -e 0: wall', baseline.walls, 'ms');
    row('node -e 0: CPU', baseline.cpus, 'ms');
    row('node -e 0: peak RSS', baseline.rss, 'MB');
    console.log(`  onnxruntime loaded: ${cli.onnx ? 'YES (should not be)' : 'no'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
