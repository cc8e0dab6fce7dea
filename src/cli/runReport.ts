/**
 * What `bundle run` adds for people after a run: the default bundle (the VISTA3D port in bundle/, run when no
 * config file is given), the label summary of every output, and the `--preview` PNG of the first output.
 * The heavy parts (NIfTI reading, PNG) are imported only when used.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BundleError, printable } from '../errors/index.js';

/** bundle/ beside src/ (or dist/): `bundle run` without a config file runs it, with bundle_root set to it. */
export const DEFAULT_BUNDLE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bundle');
export const DEFAULT_CONFIG_FILE = path.join(DEFAULT_BUNDLE_ROOT, 'configs', 'inference.json');

export interface RunOutputs {
  config: { raw(id: string): unknown; has(id: string): boolean };
  outputs: string[];
  summaryFile?: string;
}

/** Prints the label summary of every output and, when asked, writes the preview of the first one. */
export async function reportOutputs(result: RunOutputs, options: { summary: boolean; preview?: string }, write = (t: string) => void process.stdout.write(t)): Promise<void> {
  if (result.outputs.length === 0) {
    if (options.preview) {
      throw new BundleError('usage', 'The run wrote no output to preview.', {
        hint: 'the preview shows the first file a SaveImaged step wrote (savepath_in_metadict must not be false)',
      });
    }
    return;
  }
  const [{ readNifti }, { channelDefOf, formatSummary, labelSummary }] = await Promise.all([import('../image/index.js'), import('./summary.js')]);
  if (options.summary) {
    const channelDef = channelDefOf(result.config.has('_meta_') ? result.config.raw('_meta_') : null);
    for (const file of result.outputs) {
      // the run's own names (an object from clicks, a zero-shot class) win over the metadata's for that file
      const item = itemOf(result.summaryFile, file);
      const names = { ...(channelDef ?? {}), ...item?.labelNames };
      write(formatSummary(printable(file), labelSummary(await readNifti(file), Object.keys(names).length ? names : null, item?.emptyPrompted)) + '\n');
    }
  }
  if (options.preview) {
    const { writePreview } = await import('./preview.js');
    const file = path.resolve(options.preview);
    const output = result.outputs[0]!;
    const input = Object.values(itemOf(result.summaryFile, output)?.inputs ?? {})[0] ?? null;
    const shown = writePreview(file, input ? await readNifti(input) : null, await readNifti(output));
    write(`preview: ${printable(file)} (${shown === null ? 'no label: central slices' : `slices through label ${shown}`}${input ? '' : ', without the input image'})\n`);
  }
}

interface SummaryItem {
  inputs?: Record<string, string>;
  outputs?: Record<string, string>;
  label_names?: Record<string, Record<string, string>>;
  empty_prompted_labels?: Record<string, number[]>;
}

/** What the run summary file says of the item that wrote `output`: its inputs, the names of its labels, its empty prompted labels. */
function itemOf(summaryFile: string | undefined, output: string): { inputs: Record<string, string>; labelNames: Record<string, string>; emptyPrompted: number[] } | null {
  if (!summaryFile) return null;
  try {
    const record = JSON.parse(readFileSync(summaryFile, 'utf8')) as { items?: SummaryItem[] };
    const item = record.items?.find((i) => Object.values(i.outputs ?? {}).includes(output));
    if (!item) return null;
    const key = Object.entries(item.outputs ?? {}).find(([, f]) => f === output)?.[0];
    return { inputs: item.inputs ?? {}, labelNames: (key && item.label_names?.[key]) || {}, emptyPrompted: (key && item.empty_prompted_labels?.[key]) || [] };
  } catch {
    return null;
  }
}
