/**
 * CONVERSION.md: what `bundle convert` could not translate (each with file:line, the original, why and
 * what to write instead), what it dropped or replaced on purpose, and how to export the network.
 */
import type { ConvertSummary } from './convertMonaiBundle.js';

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/\n/g, ' ')}${fence}`;
}

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

export function renderReport(srcDir: string, s: ConvertSummary): string {
  const lines: string[] = [`# Conversion of ${srcDir}`, ''];
  lines.push(
    s.problems.length === 0
      ? 'Every expression and component of the converted configs was translated.'
      : `**${s.problems.length} item${s.problems.length === 1 ? '' : 's'} could not be translated.** Each is left as it was in the converted file; fix it by hand as suggested, then run \`bundle check\`. Places are lines and ids of the original bundle's files.`,
    '',
  );
  if (s.problems.length > 0) {
    lines.push('## Not translated', '', '| where | id | original | why | write instead |', '|---|---|---|---|---|');
    for (const p of s.problems) lines.push(`| ${p.file}:${p.line} | ${code(p.id)} | ${code(p.original)} | ${p.why.replace(/\|/g, '\\|')} | ${p.instead.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  lines.push('## Converted files', '');
  for (const f of s.converted) lines.push(`- ${f}`);
  for (const { file, why } of s.copiedUnchanged) lines.push(`- ${file}: copied unchanged (${why})`);
  lines.push('');
  if (s.notes.length > 0) {
    lines.push('## Dropped or replaced on purpose', '', '| where | id | original | what happened |', '|---|---|---|---|');
    for (const n of s.notes) lines.push(`| ${n.file}:${n.line} | ${code(n.id)} | ${code(n.original)} | ${n.note.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  lines.push(
    '## The network',
    '',
    `The PyTorch network is replaced by \`OnnxNetwork\` reading \`${s.network.path}\`` +
      (s.network.inputNames.length ? ` (input \`${s.network.inputNames[0]}\`, output \`${s.network.outputNames[0] ?? '?'}\`, as the metadata's network_data_format names them)` : '') +
      '. Export it from the original bundle with Python, torch and MONAI:',
    '',
    `    ${s.exportArgv.map(shellQuote).join(' ')}`,
    '',
  );
  if (s.skippedWeights.length > 0) lines.push(`PyTorch weights not copied: ${s.skippedWeights.map((w) => code(w)).join(', ')}.`, '');
  return `${lines.join('\n')}\n`;
}
