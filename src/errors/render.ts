import { BundleError, BundleErrorList, type Origin } from './BundleError.js';

export function formatOrigin(origin: Origin): string {
  switch (origin.source) {
    case 'file': {
      const pos = origin.line !== undefined ? `:${origin.line}${origin.column !== undefined ? `:${origin.column}` : ''}` : '';
      return `${origin.file ?? '<unknown file>'}${pos}`;
    }
    case 'cli':
      return `command-line argument ${origin.detail ?? ''}`.trim();
    case 'macro':
      return `macro ${origin.detail ?? ''}${origin.file ? ` (${origin.file}${origin.line !== undefined ? `:${origin.line}` : ''})` : ''}`;
    case 'merge':
      return `merge ${origin.detail ?? ''}${origin.file ? ` in ${origin.file}${origin.line !== undefined ? `:${origin.line}` : ''}` : ''}`;
    case 'default':
      return origin.detail ?? 'built-in default';
  }
}

/**
 * `text` with every control character escaped (\n, \t, \x1b, \u2028...): a file name with a newline must not
 * start a line of its own that reads like `error[...]` (or move the cursor). Every path printed passes here.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    if (named[c]) return named[c]!;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** error[kind]: message / --> where / hint: ...  (no process access: the CLI decides where it goes) */
export function renderError(error: BundleError, options: { verbose?: boolean } = {}): string {
  const lines = [`error[${error.kind}]: ${error.message}`];
  const where: string[] = [];
  const loc = error.location;
  if (loc.origin) where.push(formatOrigin(loc.origin));
  else if (loc.file) where.push(loc.file);
  const extras: string[] = [];
  if (loc.id !== undefined) extras.push(`id: ${loc.id === '' ? '<root>' : loc.id}`);
  if (loc.path) extras.push(`at ${loc.path}`);
  if (where.length || extras.length) {
    lines.push(`  --> ${where.join(', ')}${where.length && extras.length ? ' ' : ''}${extras.length ? `(${extras.join(', ')})` : ''}`);
  }
  if (loc.origin && loc.file) lines.push(`  file: ${loc.file}`);
  if (error.cycle && error.cycle.length) lines.push(`  cycle: ${error.cycle.join(' -> ')}`);
  if (error.candidates && error.candidates.length) lines.push(`  hint: closest: ${error.candidates.join(', ')}`);
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  // a message may span lines (yargs' usage text): continuation lines are indented, so none can pass for a line of its own
  const shown = [lines[0]!.split('\n').map(printable).join('\n  '), ...lines.slice(1).map(printable)];
  if (options.verbose) {
    let cause: unknown = error.cause;
    while (cause) {
      shown.push(`  caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (error.stack) shown.push(error.stack);
  }
  return shown.join('\n');
}

export function renderErrorList(list: BundleErrorList, options: { verbose?: boolean } = {}): string {
  return [...list.errors.map((e) => renderError(e, options)), `${list.message}`].join('\n\n');
}

export function errorToJson(error: BundleError): Record<string, unknown> {
  return {
    kind: error.kind,
    message: error.message,
    hint: error.hint,
    location: error.location,
    ...(error.candidates ? { candidates: error.candidates } : {}),
    ...(error.cycle ? { cycle: error.cycle } : {}),
  };
}
