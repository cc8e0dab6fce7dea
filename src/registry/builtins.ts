/** Components every registry has. */
import type { ComponentEntry } from './ComponentEntry.js';

/** `dict`: returns its (resolved) arguments as an object. */
export const dictEntry: ComponentEntry<Record<string, unknown>, Record<string, unknown>> = {
  name: 'dict',
  aliases: ['builtins.dict'],
  description: 'Returns its arguments as an object.',
  argsSchema: { type: 'object' },
  create: (args) => ({ ...args }),
};

export const builtinEntries: ComponentEntry[] = [dictEntry];
