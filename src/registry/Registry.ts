/**
 * The component registry: entries by name and MONAI dotted alias, argument validation before
 * construction, suggestions for unknown names. Implements the config layer's ComponentFactory.
 */
import { unknownTargetError } from '../config/unknownTarget.js';
import type { BuildContext, ComponentFactory } from '../config/types.js';
import { BundleError } from '../errors/index.js';
import type { ComponentEntry } from './ComponentEntry.js';
import { declareRunnable } from './runnable.js';
import { validateArgs } from './validateArgs.js';

export class Registry implements ComponentFactory {
  private readonly byName = new Map<string, ComponentEntry>();
  private readonly list: ComponentEntry[] = [];

  constructor(entries: Iterable<ComponentEntry> = []) {
    this.registerAll(entries);
  }

  /** Adds an entry; a name or alias already taken by another entry is a bug in the caller. */
  register(entry: ComponentEntry): this {
    for (const name of [entry.name, ...(entry.aliases ?? [])]) {
      const existing = this.byName.get(name);
      if (existing && existing !== entry) {
        throw new BundleError('internal', `The component name "${name}" is registered twice (${existing.name} and ${entry.name}).`);
      }
    }
    for (const name of [entry.name, ...(entry.aliases ?? [])]) this.byName.set(name, entry);
    if (!this.list.includes(entry)) this.list.push(entry);
    return this;
  }

  registerAll(entries: Iterable<ComponentEntry>): this {
    for (const e of entries) this.register(e);
    return this;
  }

  get(name: string): ComponentEntry | undefined {
    return this.byName.get(name);
  }

  /** The entry for `name`; unknown names are `unknown_target` with the closest registered names. */
  lookup(name: string, id?: string): ComponentEntry {
    const entry = this.byName.get(name);
    if (entry) return entry;
    throw unknownTargetError(name, this.names(), id === undefined ? {} : { id });
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Each entry once, in registration order. */
  entries(): readonly ComponentEntry[] {
    return this.list;
  }

  validate(name: string, args: Record<string, unknown>, id: string): BundleError[] {
    const entry = this.lookup(name, id);
    return validateArgs(entry.name, entry.argsSchema, args, id);
  }

  async create(name: string, args: Record<string, unknown>, context: BuildContext): Promise<unknown> {
    const entry = this.lookup(name, context.id);
    const errors = validateArgs(entry.name, entry.argsSchema, args, context.id);
    if (errors.length > 0) {
      const first = errors[0]!;
      if (errors.length === 1) throw first;
      throw new BundleError('invalid_arguments', `${first.message.replace(/\.$/, '')} (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''}: ${errors.slice(1).map((e) => e.location.path).join(', ')}).`, {
        location: first.location,
        hint: first.hint,
      });
    }
    const value = await entry.create(args, context);
    declareRunnable(value, entry.name, entry.methods);
    return value;
  }
}
