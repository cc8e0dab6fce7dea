/**
 * `%` macros: a deep copy of the RAW value at an id of this config (`%id`, relative `%::x`) or of another
 * file (`%file.json::id`, `%file.yaml`), pasted before resolution. Expansion is order independent: a copy
 * is taken only after everything inside its source has been expanded, and cycles are errors. Content copied
 * from another file is expanded against that file first.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { BundleError, type Origin } from '../errors/index.js';
import { closestNames } from '../util/closest.js';
import { isInside } from './bundleLayout.js';
import { absolutePath, allIds, formatId, lookup, parseId, parseRelative } from './ids.js';
import { loadConfigFile } from './load.js';
import type { RawRoot } from './merge.js';
import type { OriginTable } from './provenance.js';
import { DESC_KEY, isContainer, isMacro, setOwn } from './sigils.js';

export interface MacroOptions {
  bundleRoot: string;
  allowOutsideBundleRoot: boolean;
  origins: OriginTable;
}

interface MacroDoc {
  label: string;
  root: RawRoot;
  done: Set<string>;
  active: Map<string, string>;
}

const FILE_MACRO = /^(.*?\.(?:json|ya?ml))(?:(?:::|#)(.*))?$/is;

export class MacroExpander {
  private readonly otherFiles = new Map<string, MacroDoc>();
  /** the chain of macros being expanded, for cycle messages */
  private readonly chain: string[] = [];

  constructor(private readonly options: MacroOptions) {}

  /** Expands every macro of the config in place. */
  expandAll(root: RawRoot, label: string): void {
    this.expandSubtree({ label, root, done: new Set(), active: new Map() }, []);
  }

  private expandSubtree(doc: MacroDoc, at: string[]): void {
    const key = formatId(at);
    if (doc.done.has(key)) return;
    const node = lookup(doc.root.value, at).value;
    if (isMacro(node)) this.expandAt(doc, at, node);
    else if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) this.visitChild(doc, at, String(i), node[i]);
    } else if (isContainer(node)) {
      for (const [k, v] of Object.entries(node)) if (k !== DESC_KEY) this.visitChild(doc, at, k, v);
    }
    doc.done.add(key);
  }

  private visitChild(doc: MacroDoc, at: string[], key: string, value: unknown): void {
    if (isMacro(value)) this.expandAt(doc, [...at, key], value);
    else if (isContainer(value)) this.expandSubtree(doc, [...at, key]);
  }

  private expandAt(doc: MacroDoc, at: string[], text: string): void {
    const idKey = formatId(at);
    const written = this.options.origins.at(doc.root.value, at);
    const location = { id: idKey, origin: written };
    if (doc.active.has(idKey)) {
      const cycle = [...this.chain.slice(this.chain.indexOf(`${doc.label}:${idKey}`)), `${doc.label}:${idKey}`];
      throw new BundleError('macro_error', `The macro "${text}" is part of a cycle of macros.`, {
        location,
        cycle: cycle.map((c) => c.slice(c.indexOf(':') + 1) || '<root>'),
      });
    }
    doc.active.set(idKey, text);
    this.chain.push(`${doc.label}:${idKey}`);
    try {
      const value = this.sourceValue(doc, at, text, location);
      const pasted = copyRaw(value, this.options.origins, text);
      this.replace(doc, at, pasted, { ...(written ?? { source: 'macro' }), source: 'macro', detail: text });
    } finally {
      doc.active.delete(idKey);
      this.chain.pop();
    }
  }

  /** The fully expanded raw value a macro names. */
  private sourceValue(doc: MacroDoc, at: string[], text: string, location: { id: string; origin?: Origin }): unknown {
    const body = text.slice(1);
    if (body === '') {
      throw new BundleError('macro_error', 'A macro "%" needs an id or a file after the "%".', { location });
    }
    const fileMatch = FILE_MACRO.exec(body);
    if (fileMatch) {
      const other = this.otherFile(fileMatch[1]!, text, location);
      const target = parseId(fileMatch[2] ?? '');
      return this.expandedTarget(other, target, text, location, `in ${fileMatch[1]}`);
    }
    const target = absolutePath(parseRelative(body), at, text, location.origin);
    const targetKey = formatId(target);
    if (target.length <= at.length && target.every((s, i) => s === at[i])) {
      throw new BundleError('macro_error', `The macro "${text}" copies an item that contains the macro itself.`, {
        location,
        cycle: [location.id, targetKey || '<root>'],
      });
    }
    return this.expandedTarget(doc, target, text, location, '');
  }

  private expandedTarget(doc: MacroDoc, target: string[], text: string, location: { id: string; origin?: Origin }, where: string): unknown {
    if (!lookup(doc.root.value, target).found) {
      const id = formatId(target);
      throw new BundleError('macro_error', `The macro "${text}" names the id "${id}", which does not exist${where ? ` ${where}` : ''}.`, {
        location,
        candidates: closestNames(id, allIds(doc.root.value)),
      });
    }
    this.expandSubtree(doc, target);
    return lookup(doc.root.value, target).value;
  }

  private otherFile(relative: string, text: string, location: { id: string; origin?: Origin }): MacroDoc {
    const { bundleRoot, allowOutsideBundleRoot, origins } = this.options;
    const named = path.resolve(bundleRoot, relative);
    // the root rule applies to what is read: the target of every symbolic link on the way
    const file = realOrSelf(named);
    if (!allowOutsideBundleRoot && !isInside(realOrSelf(bundleRoot), file)) {
      const via = file !== named ? ` (through a symbolic link to ${file})` : '';
      throw new BundleError('macro_error', `The macro "${text}" reads a file outside the bundle root${via}.`, {
        location,
        hint: `macro paths are relative to the bundle root (${bundleRoot}); pass --allow_outside_root to allow other places`,
      });
    }
    let doc = this.otherFiles.get(file);
    if (!doc) {
      let loaded;
      try {
        loaded = loadConfigFile(named, origins);
      } catch (e) {
        const cause = e as BundleError;
        throw new BundleError('macro_error', `The macro "${text}" cannot read ${relative}: ${cause.message}`, {
          location,
          cause: e,
          hint: cause.kind === 'config_file_not_found' ? `macro paths are relative to the bundle root (${bundleRoot})` : cause.hint,
        });
      }
      doc = { label: file, root: { value: loaded.value }, done: new Set(), active: new Map() };
      this.otherFiles.set(file, doc);
    }
    return doc;
  }

  private replace(doc: MacroDoc, at: string[], value: unknown, origin: Origin): void {
    const { origins } = this.options;
    if (at.length === 0) {
      doc.root.value = value;
      origins.root = origin;
      return;
    }
    const parent = lookup(doc.root.value, at.slice(0, -1)).value as Record<string, unknown> | unknown[];
    const last = at[at.length - 1]!;
    if (Array.isArray(parent)) parent[Number(last)] = value;
    else setOwn(parent, last, value);
    origins.set(parent, last, origin);
  }
}

/** The real path (every symbolic link resolved); the path itself when it does not exist (reported on reading). */
function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** A deep copy of raw data; each copied value's origin says it came from this macro. */
export function copyRaw(value: unknown, origins: OriginTable, macroText: string): unknown {
  if (Array.isArray(value)) {
    const out = value.map((v) => copyRaw(v, origins, macroText));
    value.forEach((_, i) => origins.set(out, i, macroOrigin(origins.get(value, i), macroText)));
    return out;
  }
  if (isContainer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      setOwn(out, k, copyRaw(v, origins, macroText));
      origins.set(out, k, macroOrigin(origins.get(value, k), macroText));
    }
    return out;
  }
  return value;
}

function macroOrigin(original: Origin | undefined, macroText: string): Origin {
  return { source: 'macro', detail: macroText, file: original?.file, line: original?.line, column: original?.column };
}

