/** A loaded, merged, macro-expanded config: raw access, provenance, lazy resolution, checks. */
import { BundleError, type Origin } from '../errors/index.js';
import { closestNames } from '../util/closest.js';
import type { ExpressionEngine } from './expressions.js';
import { allIds, formatId, lookup, parseId } from './ids.js';
import { checkAll, referencesOf, referrersOf, type InspectContext } from './inspect.js';
import type { RawRoot } from './merge.js';
import type { OriginTable } from './provenance.js';
import { type Item, type Resolver } from './resolver.js';
import type { ComponentFactory } from './types.js';

export interface BundleConfigState {
  root: RawRoot;
  origins: OriginTable;
  resolver: Resolver;
  engine: ExpressionEngine;
  factory: ComponentFactory;
  bundleRoot: string;
  configFiles: string[];
  metaFiles: string[];
}

export class BundleConfig {
  readonly bundleRoot: string;
  /** absolute paths of the config files, in merge order */
  readonly configFiles: readonly string[];
  /** absolute paths of the metadata files actually read */
  readonly metaFiles: readonly string[];

  constructor(private readonly state: BundleConfigState) {
    this.bundleRoot = state.bundleRoot;
    this.configFiles = state.configFiles;
    this.metaFiles = state.metaFiles;
  }

  /** Whether an id (`::` or `#`) names an item of the raw config. */
  has(id: string): boolean {
    return lookup(this.state.root.value, parseId(id)).found;
  }

  /** The raw (merged, macro-expanded) value; `id_not_found` when absent. Do not mutate it. */
  raw(id: string): unknown {
    return this.item(id).raw;
  }

  origin(id: string): Origin | undefined {
    return this.state.origins.at(this.state.root.value, parseId(id));
  }

  /** The resolved value, cached: every call (and every referrer) gets the same value. */
  resolve(id: string): Promise<unknown> {
    return this.state.resolver.resolve(this.item(id));
  }

  /**
   * For workflow sections: resolves an item without caching it or anything inside it, so running it again
   * re-executes it; what it references stays cached.
   */
  runItem(id: string): Promise<unknown> {
    return this.state.resolver.rerun(this.item(id));
  }

  /** Every id, in document order ("" not included). */
  ids(): string[] {
    return allIds(this.state.root.value, Number.MAX_SAFE_INTEGER);
  }

  /** Every problem `bundle check` reports, all at once; nothing is built or evaluated. */
  async check(): Promise<BundleError[]> {
    return checkAll(this.inspectContext());
  }

  /** Ids referenced from inside the item. */
  references(id: string): string[] {
    return referencesOf(this.inspectContext(), this.item(id));
  }

  /** Ids of the references and expressions that name the item or something inside it. */
  referrers(id: string): string[] {
    return referrersOf(this.inspectContext(), formatId(parseId(id)));
  }

  private inspectContext(): InspectContext {
    const { resolver, engine, factory } = this.state;
    return { resolver, engine, factory, root: this.item('') };
  }

  private item(id: string): Item {
    const path = parseId(id);
    const canonical = formatId(path);
    const found = this.state.resolver.item(path, canonical);
    if (found) return found;
    throw new BundleError('id_not_found', `The id "${id}" does not exist in the config.`, {
      location: { id: canonical },
      candidates: closestNames(canonical, allIds(this.state.root.value)),
    });
  }
}
