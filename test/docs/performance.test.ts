import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { repoPath } from '../helpers/shared.js';

/**
 * docs/PERFORMANCE.md holds every performance figure, as `npm run bench` prints it: per module a
 * `## bench/<name>.ts` section with the `bench:` line (date, machine, load) and the module's output block.
 * The README and the bundle docs link to it and repeat no figures.
 */
const DOC = readFileSync(repoPath('docs', 'PERFORMANCE.md'), 'utf8');
const MODULES = readdirSync(repoPath('bench')).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3));

describe('docs/PERFORMANCE.md', () => {
  const sections = DOC.split(/^## /m).slice(1).filter((s) => s.startsWith('bench/'));

  it('has at least one section, each for a bench module that exists', () => {
    expect(sections.length).to.be.greaterThan(0);
    for (const s of sections) expect(MODULES, s.split('\n')[0]).to.include(/^bench\/(\w+)\.ts/.exec(s)![1]);
  });

  it('gives each section in the format bench/run.ts prints: the bench: line, then the module block with its time', () => {
    // the first line bench/run.ts prints (see its source), e.g. "bench: 2026-12-04T07:49Z on 2 x AMD EPYC, 24 GB, Node v20.20.2, linux; load average 16.8"
    const runSource = readFileSync(repoPath('bench', 'run.ts'), 'utf8');
    expect(runSource).to.contain('`bench: ${new Date().toISOString().slice(0, 16)}Z on ${cpu.length} x ');
    for (const s of sections) {
      const name = /^bench\/(\w+)\.ts/.exec(s)![1]!;
      expect(s, name).to.match(/^bench: \d{4}-\d\d-\d\dT\d\d:\d\dZ on \d+ x .+, \d+ GB, Node v\d+\.\d+\.\d+, \w+; load average \d+\.\d$/m);
      const block = /```\n([\s\S]*?)\n```/.exec(s)?.[1];
      expect(block, `${name}: a fenced block of bench output`).to.be.a('string');
      const lines = block!.split('\n');
      expect(lines[0]).to.equal(`=== bench/${name}.ts ===`);
      expect(lines.at(-1)).to.match(new RegExp(`^\\(bench/${name}\\.ts took \\d+\\.\\d s\\)$`));
    }
  });

  it('is what the README and the bundle docs link to, instead of repeating figures', () => {
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    const perf = /## Performance\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    expect(perf).to.contain('docs/PERFORMANCE.md');
    for (const doc of [perf, readFileSync(repoPath('bundle', 'docs', 'README.md'), 'utf8'), readFileSync(repoPath('examples', 'brain-meshnet', 'docs', 'README.md'), 'utf8')]) {
      expect(doc.match(/\b\d+(\.\d+)? ?(s|GB|MB) (wall|peak)|\d+(\.\d+)? s wall/g) ?? []).to.deep.equal([]);
    }
  });
});
