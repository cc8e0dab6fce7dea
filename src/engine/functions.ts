/**
 * The expression functions the engine registers with the config layer (loadConfig's `functions` option):
 *
 * - `$run(component[, method])`: calls `component[method]()` (method default "run") and returns its result.
 *   This is how a workflow section runs the evaluator: `"run": ["$$run(@evaluator)"]` (the first `$` marks
 *   the expression, `$run` is the function, as with JSONata's own `"$$append(...)"`). Before running a
 *   component that accepts handlers (an evaluator), the run's own handlers (progress, summary) are attached.
 *   Only components built by the registry are targets, and only `run` and the methods their entry declares
 *   (registry/runnable.ts): never a mutator of a plain value that other references share.
 * - `$glob(folder, pattern)`: the sorted list of files matching `pattern` under `folder` (see glob.ts), for
 *   batch configs: `"input_list": "$glob(@input_dir, '*.nii.gz')"`; confined by the root rule.
 * - `$load_decathlon_datalist(path, ...)`: MONAI's datalist loader (see datalist.ts).
 */
import { BundleError } from '../errors/index.js';
import type { Handler } from './events.js';
import { runnableMethods } from '../registry/runnable.js';
import { datalistArguments, loadDecathlonDatalist } from './datalist.js';
import { globFiles, type GlobConfinement } from './glob.js';

/** The shape loadConfig's `functions` option takes (JSONata function signature optional). */
export interface EngineFunction {
  implementation: (...args: any[]) => unknown;
  signature?: string;
}

export interface RunContext {
  /** handlers every evaluator run by `$run` gets, after its configured ones */
  handlers: Handler[];
  /** where $glob may look (the root rule); none: anywhere (library use without a bundle) */
  glob?: GlobConfinement;
}

export function engineFunctions(context: RunContext = { handlers: [] }): Record<string, EngineFunction> {
  return {
    run: { implementation: (component: unknown, method?: unknown) => runMethod(component, method, context) },
    glob: { implementation: (folder: unknown, pattern: unknown) => globFiles(folder as string, pattern as string, context.glob) },
    load_decathlon_datalist: { implementation: (file: unknown, ...rest: unknown[]) => loadDecathlonDatalist(file, datalistArguments(rest), context.glob) },
  };
}

export async function runMethod(component: unknown, method: unknown = 'run', context?: RunContext): Promise<unknown> {
  const name = method ?? 'run';
  if (typeof name !== 'string' || name === '') {
    throw new BundleError('invalid_arguments', '$run\'s second argument must be a method name.', {
      hint: 'write $run(@evaluator) or $run(@component, "method")',
    });
  }
  const target = component as Record<string, unknown> | null | undefined;
  const what = target === null || target === undefined ? String(target) : Array.isArray(target) ? 'a list' : typeof target === 'object' ? `a ${(target.constructor as { name?: string })?.name ?? 'object'}` : `a ${typeof target}`;
  const declared = runnableMethods(target);
  if (target !== null && target !== undefined && !declared) {
    throw new BundleError('invalid_arguments', `$run calls methods of components built from "_target_" only; it was given ${what}.`, {
      hint: 'pass a component, e.g. $run(@evaluator); plain values (lists, dicts, strings) have no methods to run',
    });
  }
  if (declared && !declared.methods.includes(name)) {
    throw new BundleError('invalid_arguments', `$run may call ${declared.methods.map((m) => `"${m}"`).join(', ')} on a ${declared.name}, not "${name.slice(0, 100)}".`, {
      hint: 'a component entry declares the methods $run may call: "run" and its `methods` list',
    });
  }
  const fn = target !== null && typeof target === 'object' ? target[name] : undefined;
  if (typeof fn !== 'function') {
    throw new BundleError('invalid_arguments', `$run was given ${what}, which has no "${name}" method to run.`, {
      hint: 'pass a component with that method, e.g. $run(@evaluator); a disabled component resolves to null',
    });
  }
  if (context && typeof target!.addHandler === 'function') {
    for (const handler of context.handlers) (target!.addHandler as (h: Handler) => void)(handler);
  }
  return await (fn as () => unknown).call(target);
}
