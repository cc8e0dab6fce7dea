/**
 * The layering rule of the README, checked on the sources: each layer imports only from the layers before
 * it (errors and util from nothing else), the image layer needs nothing from config or the registry, and
 * onnxruntime-node is never imported statically (commands that run no network must not load it).
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from '../helpers/shared.js';

const ORDER = ['config', 'registry', 'image', 'transforms', 'inference', 'engine', 'apps', 'convert', 'queue', 'serve', 'cli'];
const BASE = ['errors', 'util'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

const src = repoPath('src');
const files = sources(src).map((file) => ({
  file: path.relative(src, file),
  layer: path.relative(src, file).split(path.sep)[0]!,
  text: readFileSync(file, 'utf8'),
}));

function importsOf(file: string, text: string): string[] {
  const targets: string[] = [];
  for (const m of text.matchAll(/(?:from|import\()\s*['"](\.[^'"]+)['"]/g)) {
    const target = path.relative(src, path.resolve(path.dirname(path.join(src, file)), m[1]!));
    if (!target.startsWith('..')) targets.push(target.split(path.sep)[0]!);
  }
  return targets;
}

describe('architecture: layers', () => {
  it('every layer imports only from the layers before it', () => {
    const violations: string[] = [];
    for (const { file, layer, text } of files) {
      if (!ORDER.includes(layer) && !BASE.includes(layer)) continue;
      for (const target of importsOf(file, text)) {
        const ok = BASE.includes(layer)
          ? BASE.includes(target)
          : BASE.includes(target) || (ORDER.includes(target) && ORDER.indexOf(target) <= ORDER.indexOf(layer));
        if (!ok) violations.push(`${file} imports from ${target}/`);
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it('the image layer needs nothing from config or the registry', () => {
    const offending = files.filter((f) => f.layer === 'image' && importsOf(f.file, f.text).some((t) => t === 'config' || t === 'registry'));
    expect(offending.map((f) => f.file)).to.deep.equal([]);
  });

  it('onnxruntime-node is only ever loaded with a dynamic import', () => {
    const statics = files.filter((f) => /^import\s[^;]*['"]onnxruntime-node['"]/m.test(f.text));
    expect(statics.map((f) => f.file)).to.deep.equal([]);
  });
});
