/**
 * The label summary `bundle run` prints after a segmentation run (the counting is in engine/labelSummary.ts).
 */
import type { LabelCount } from '../engine/labelSummary.js';

export { channelDefOf, labelSummary, NOT_COMPUTED, voxelVolumeMm3, type LabelCount } from '../engine/labelSummary.js';

/** A small table: id, name, voxels, mL; or a line saying the output is empty. */
export function formatSummary(file: string, labels: LabelCount[] | null): string {
  if (labels === null) return `${file}: not a label map (non-integer values); no label summary`;
  if (labels.length === 0) return `${file}: no label found (every voxel is background)`;
  const rows = labels.map((l) => [String(l.id), `${l.name ?? '(unnamed)'}${l.promptedEmpty ? ' (prompted, empty)' : ''}`, String(l.voxels), l.volumeMl.toFixed(1)]);
  const found = labels.filter((l) => !l.promptedEmpty).length;
  const empty = labels.length - found;
  const header = ['label', 'name', 'voxels', 'mL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [`${file}: ${found} label${found === 1 ? '' : 's'}${empty ? `, ${empty} prompted, empty` : ''}`, `  ${line(header)}`, ...rows.map((r) => `  ${line(r)}`)].join('\n');
}
