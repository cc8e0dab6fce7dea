/**
 * Where every raw value came from. Origins are kept per container (container -> key -> Origin), so a
 * subtree moved by a merge keeps its origins without copying, and a lookup by id is a walk. A Map, not a
 * WeakMap: the table lives as long as the config, and V8's ephemeron handling of a WeakMap with one entry
 * per container made garbage collection dominate resolution time on large configs.
 */
import type { Origin } from '../errors/index.js';
import { childOf, type IdPath } from './ids.js';

export type { Origin };

export class OriginTable {
  private readonly byContainer = new Map<object, Map<string, Origin>>();
  /** the origin of the root value itself */
  root: Origin | undefined;

  set(container: object, key: string | number, origin: Origin): void {
    let m = this.byContainer.get(container);
    if (!m) this.byContainer.set(container, (m = new Map()));
    m.set(String(key), origin);
  }

  get(container: object, key: string | number): Origin | undefined {
    return this.byContainer.get(container)?.get(String(key));
  }

  /** Origin of the value at `path` in `root` (undefined when unknown). */
  at(root: unknown, path: IdPath): Origin | undefined {
    if (path.length === 0) return this.root;
    let node: unknown = root;
    for (let i = 0; i < path.length - 1; i++) {
      const next = childOf(node, path[i]!);
      if (!next.found) return undefined;
      node = next.value;
    }
    if (node === null || typeof node !== 'object') return undefined;
    return this.get(node, path[path.length - 1]!);
  }

  /** Origins of a container's children, for copying. */
  entries(container: object): Map<string, Origin> | undefined {
    return this.byContainer.get(container);
  }
}

/** A CLI-argument origin. */
export function cliOrigin(detail: string): Origin {
  return { source: 'cli', detail };
}
