/**
 * MONAI's `VistaPreTransformd`: touches the prompt keys only, never the image. Label names become ids,
 * parent classes are replaced by their subclasses, and clicks for a special class get labels 2/3.
 *
 * MONAI swallows any failure here with a warning and leaves the data as it was, so that the evaluator's
 * checks report it. We do the same for malformed prompts (a warning, then validation names the problem),
 * but we never throw away a conversion that did work: names are converted even when `subclass` is unset.
 */
import type { ComponentEntry, Logger } from '../../registry/ComponentEntry.js';
import { silentLogger } from '../../registry/ComponentEntry.js';
import { mapTransformSchema, normalizeKeys } from '../../transforms/MapTransform.js';
import { editDistance } from '../../util/closest.js';
import type { Sample, Transform } from '../../transforms/Transform.js';
import { DEFAULT_SPECIAL_INDEX, LabelNames } from './labels.js';
import { EXPANSIONS_KEY, UNKNOWN_NAMES_KEY, type SubclassExpansion, type UnknownName } from './prompts.js';

export interface VistaPreTransformOptions {
  keys: string | readonly string[];
  allowMissingKeys?: boolean;
  specialIndex?: readonly number[];
  labelsDict?: Readonly<Record<string, string>> | null;
  subclass?: Readonly<Record<string, readonly number[]>> | null;
  logger?: Logger;
  id?: string;
}

export class VistaPreTransformd implements Transform {
  readonly name = 'VistaPreTransformd';
  readonly volumeFree = true;
  readonly keys: string[];
  private readonly specialIndex: readonly number[];
  private readonly subclass: ReadonlyMap<number, readonly number[]> | null;
  private readonly labelsDict: Readonly<Record<string, string>> | null;
  /** lives as long as the transform, so unknown names keep their new ids across data items (as MONAI) */
  private readonly names: LabelNames;
  private readonly logger: Logger;

  constructor(options: VistaPreTransformOptions) {
    this.keys = normalizeKeys(options.keys, this.name, options.id);
    this.specialIndex = options.specialIndex ?? DEFAULT_SPECIAL_INDEX;
    this.subclass = options.subclass ? new Map(Object.entries(options.subclass).map(([k, v]) => [Number(k), v])) : null;
    this.labelsDict = options.labelsDict ?? null;
    this.names = new LabelNames(options.labelsDict);
    this.logger = options.logger ?? silentLogger;
  }

  apply(sample: Sample): Sample {
    const out: Sample = { ...sample };
    const given = sample.label_prompt ?? null;
    if (given === null) return out;
    if (!Array.isArray(given)) {
      this.logger.warn('VistaPreTransformd: label_prompt is not a list; it is passed on unchanged for validation to report.');
      return out;
    }
    // names the labels dict does not know become new ids, as in MONAI; recorded with the closest known names
    // so that the zero-shot error (V5) can say which class a misspelled name was meant to be
    const known = Object.values(this.labelsDict ?? {});
    const unknown = given.filter((e): e is string => typeof e === 'string' && !/^[0-9]+$/.test(e) && this.names.idOf(e) === undefined);
    const ids = this.names.toIds(given);
    const expanded: unknown[] = [];
    const expansions: SubclassExpansion[] = [];
    for (const id of ids) {
      const subclasses = typeof id === 'number' ? this.subclass?.get(id) : undefined;
      if (subclasses) {
        expanded.push(...subclasses);
        expansions.push({ id: id as number, ids: [...subclasses], ...(this.labelsDict?.[String(id)] ? { name: this.labelsDict[String(id)] } : {}) });
      } else {
        expanded.push(id);
      }
    }
    out.label_prompt = expanded;
    if (unknown.length > 0) {
      out[UNKNOWN_NAMES_KEY] = unknown.map((name): UnknownName => ({ name, id: this.names.idOf(name)!, closest: closestLabelNames(name, known) }));
    }
    if (expansions.length > 0) out[EXPANSIONS_KEY] = expansions;

    // the special-class test looks at the first id before expansion, as MONAI does
    const pointLabels = sample.point_labels;
    if (Array.isArray(pointLabels) && this.specialIndex.includes(ids[0] as number)) {
      out.point_labels = pointLabels.map((l) => (l === 0 ? 2 : l === 1 ? 3 : l));
    }
    return out;
  }
}

export const vistaPreTransformdEntry: ComponentEntry = {
  name: 'VistaPreTransformd',
  aliases: ['monai.apps.vista3d.transforms.VistaPreTransformd'],
  description: 'VISTA3D prompt pre-processing: label names to ids, subclass expansion, special-class click labels',
  argsSchema: mapTransformSchema({
    special_index: { type: 'array', items: { type: 'integer' }, description: 'ids whose click labels 0/1 become 2/3' },
    labels_dict: {
      type: ['object', 'null'],
      additionalProperties: { type: 'string' },
      description: 'id (string) -> label name, for names in label_prompt',
    },
    subclass: {
      type: ['object', 'null'],
      additionalProperties: { type: 'array', items: { type: 'integer' } },
      description: 'parent id (string) -> the ids it is replaced by',
    },
  }),
  create(args: Record<string, any>, context) {
    return new VistaPreTransformd({
      keys: args.keys,
      allowMissingKeys: args.allow_missing_keys,
      specialIndex: args.special_index,
      labelsDict: args.labels_dict,
      subclass: args.subclass,
      logger: context.logger,
      id: context.id,
    });
  },
};

/** Whole-name edit distance (closestNames favours prefixes, which would put "liver tumor" before "liver"). */
function closestLabelNames(name: string, known: readonly string[]): string[] {
  const lower = name.toLowerCase();
  return known
    .map((k) => [editDistance(lower, k.toLowerCase()), k] as const)
    .filter(([d]) => d <= Math.max(2, Math.floor(lower.length / 3)))
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .slice(0, 3)
    .map(([, k]) => k);
}
