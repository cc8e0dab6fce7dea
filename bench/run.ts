/**
 * `npm run bench [-- name ...]`: runs every bench/<name>.ts module's `run()` in turn (or only the named ones).
 * Figures are printed, never asserted: speed and memory are measured here, not in tests.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

if (modules.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}; available: ${readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').join(', ')}`);
  process.exitCode = 2;
}
if (modules.length > 0) {
  // when and where: docs/PERFORMANCE.md keeps this line with each module's output (test/docs/performance.test.ts)
  const cpu = os.cpus();
  console.log(
    `bench: ${new Date().toISOString().slice(0, 16)}Z on ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, ${os.platform()}; load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
}
for (const name of modules) {
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') continue;
  console.log(`\n=== bench/${name}.ts ===`);
  const t0 = performance.now();
  await mod.run();
  console.log(`(bench/${name}.ts took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
