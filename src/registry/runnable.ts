/**
 * What `$run(component, method)` may call: only objects built by the registry, and on them only `run` and
 * the methods their entry declares (`ComponentEntry.methods`). A plain value (a list, a dict, a string)
 * is never a target, so an expression cannot call a mutator such as a list's `pop` on a value that
 * other references share.
 */
const declared = new WeakMap<object, { name: string; methods: readonly string[] }>();

/** Records that `value` was built by the entry `name` and may be run with `methods` (plus `run`). */
export function declareRunnable(value: unknown, name: string, methods: readonly string[] = []): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    declared.set(value, { name, methods: ['run', ...methods.filter((m) => m !== 'run')] });
  }
}

/** The entry name and callable methods of a built component; undefined for anything else. */
export function runnableMethods(value: unknown): { name: string; methods: readonly string[] } | undefined {
  return value !== null && typeof value === 'object' ? declared.get(value) : undefined;
}
