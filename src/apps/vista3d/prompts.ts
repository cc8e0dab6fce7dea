/**
 * Prompt validation: MONAI's `Vista3dEvaluator.check_prompts_format` (rules V1-V11 of spec vista3d.md 1.2, in
 * that order, with MONAI's exact messages) plus this project's decisions: ids are validated with clicks too,
 * `[2]`/`[20]`/`[21]` with clicks name the subclass expansion, an empty `label_prompt` or `points` is refused,
 * and clicks must lie inside the image.
 */
import { BundleError } from '../../errors/index.js';
import { roundHalfEven } from '../../transforms/spatial/resample.js';
import { LABEL_ID_LIMIT, isSupportedWithoutPoints } from './labels.js';

/** The sample key where VistaPreTransformd records which parent ids it expanded (for the V10 message). */
export const EXPANSIONS_KEY = 'label_prompt_expansions';

/** The sample key where VistaPreTransformd records label names it did not know (given new ids, as MONAI). */
export const UNKNOWN_NAMES_KEY = 'label_prompt_unknown_names';

export interface UnknownName {
  name: string;
  id: number;
  /** the closest class names of the labels dict */
  closest: string[];
}

export interface SubclassExpansion {
  id: number;
  name?: string;
  ids: number[];
}

export interface PromptInput {
  label_prompt?: unknown;
  points?: unknown;
  point_labels?: unknown;
  /** recorded by VistaPreTransformd when it replaced a parent id by its subclasses */
  expansions?: readonly SubclassExpansion[];
  /** recorded by VistaPreTransformd for names it gave new ids */
  unknownNames?: readonly UnknownName[];
}

/** Validated prompts. `everything` is true when the request fell back to the everything labels (V1). */
export interface Prompts {
  labelPrompt: number[] | null;
  /** clicks as given, 0-based voxel indices (i, j, k) of the original image */
  points: number[][] | null;
  pointLabels: number[] | null;
  everything: boolean;
}

const POINT_LABELS = [-1, 0, 1, 2, 3];

export function validatePrompts(input: PromptInput, everythingLabels: readonly number[] | null | undefined): Prompts {
  const labelPrompt = input.label_prompt ?? null;
  const points = input.points ?? null;
  const pointLabels = input.point_labels ?? null;

  // V1: a stray point_labels is ignored here, as in MONAI
  if (labelPrompt === null && points === null) {
    if (everythingLabels) return { labelPrompt: [...everythingLabels], points: null, pointLabels: null, everything: true };
    throw promptError('Prompt must be given for inference.', 'label_prompt', 'give "label_prompt" (class ids or names) and/or "points" with "point_labels" in input_dict');
  }

  if (labelPrompt !== null) {
    if (!Array.isArray(labelPrompt)) throw promptError('Label prompt must be a list, [1,2,3,4,...,].', 'label_prompt'); // V2
    if (labelPrompt.length === 0) {
      throw promptError('Label prompt is empty.', 'label_prompt', 'give at least one class id or name, e.g. [3] or ["spleen"], or leave label_prompt out for everything mode');
    }
    if (!labelPrompt.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw promptError('Label prompt must be a list of single scalar, [1,2,3,4,...,].', 'label_prompt'); // V3
    }
    if (!labelPrompt.every((x) => x < LABEL_ID_LIMIT)) throw promptError('Current bundle only supports label prompt smaller than 255.', 'label_prompt'); // V4
    if (points === null) {
      if (!labelPrompt.every(isSupportedWithoutPoints)) {
        const misspelt = input.unknownNames?.find((u) => !isSupportedWithoutPoints(u.id));
        if (misspelt) {
          const close = misspelt.closest[0];
          throw promptError(
            `Label name "${misspelt.name}" is not a class of this bundle${close ? `; did you mean "${close}"?` : '.'} (Undefined label prompt: a new name needs point prompts for zero-shot.)`,
            'label_prompt',
            'names are the class names in configs/metadata.json (channel_def), in any case',
          );
        }
        throw promptError('Undefined label prompt detected. Provide point prompts for zero-shot.', 'label_prompt', undefinedHint(labelPrompt)); // V5
      }
    } else {
      // our decision: MONAI lets any id through with clicks and crashes later on 0 or negatives
      const bad = labelPrompt.find((x) => !Number.isInteger(x) || x < 1);
      if (bad !== undefined) {
        throw promptError(`Label prompt ${bad} is not a class id.`, 'label_prompt', 'class ids are integers from 1 to 254 (133-254 run zero-shot with point prompts)');
      }
    }
  }

  if (points !== null) {
    if (pointLabels === null) throw promptError('Point labels must be given if points are given.', 'point_labels'); // V6
    if (!Array.isArray(points) || !points.every(isPoint)) {
      throw promptError('Points must be three dimensional (x,y,z) in the shape of [[x,y,z],...,[x,y,z]].', 'points'); // V7
    }
    if (points.length === 0) throw promptError('Points are empty.', 'points', 'give at least one click [i, j, k], or leave points and point_labels out');
    if (!Array.isArray(pointLabels) || points.length !== pointLabels.length) throw promptError('Points must match point labels.', 'point_labels'); // V8
    if (!pointLabels.every((l) => POINT_LABELS.includes(l as number))) {
      throw promptError('Point labels can only be -1,0,1 and 2,3 for special flags.', 'point_labels', '1 = positive click, 0 = negative click, -1 = ignored; 2/3 are set automatically for special classes'); // V9
    }
  }

  if (labelPrompt !== null && points !== null && (labelPrompt as number[]).length !== 1) {
    const expansion = input.expansions?.[0];
    if (expansion) {
      const what = expansion.name ? `${expansion.id} (${expansion.name})` : String(expansion.id);
      throw promptError(
        `Label prompt ${what} stands for its ${expansion.ids.length} subclasses and cannot be combined with point prompts, which need a single object.`,
        'label_prompt',
        `give one subclass id with the points instead, e.g. [${expansion.ids[0]}]`,
      );
    }
    throw promptError('Label prompt can only be a single object if provided with point prompts.', 'label_prompt'); // V10
  }

  if (pointLabels !== null && points === null) throw promptError('Points must be given if point labels are given.', 'points'); // V11

  return {
    labelPrompt: labelPrompt as number[] | null,
    points: points === null ? null : (points as number[][]).map((p) => p.slice()),
    pointLabels: pointLabels === null ? null : (pointLabels as number[]).slice(),
    everything: false,
  };
}

/**
 * Our decision: a click outside the image is an error (MONAI crashes or wraps around). `spatialShape` is the
 * frame the clicks are in; `frame` names it for the message.
 */
export function checkClicksInside(points: readonly (readonly number[])[], spatialShape: readonly number[], frame: 'image' | 'network'): void {
  for (const p of points) {
    const outside = p.some((c, axis) => (frame === 'image' ? c < 0 || c > spatialShape[axis]! - 1 : roundHalfEven(c) < 0 || roundHalfEven(c) > spatialShape[axis]! - 1));
    if (!outside) continue;
    const click = `[${p.map(formatNumber).join(', ')}]`;
    const shape = `[${spatialShape.join(', ')}]`;
    if (frame === 'image') {
      throw promptError(`Click ${click} lies outside the image, whose shape is ${shape}.`, 'points', 'clicks are 0-based voxel indices (i, j, k) of the input file, each from 0 to its axis size - 1');
    }
    throw promptError(
      `Click ${click} lies outside the part of the image the network sees (the foreground crop, ${shape} voxels after resampling).`,
      'points',
      'click on the body: voxels far from anything above 0 HU are cropped away before inference',
    );
  }
}

function isPoint(p: unknown): boolean {
  return Array.isArray(p) && p.length === 3 && p.every((c) => typeof c === 'number' && Number.isFinite(c));
}

function undefinedHint(prompt: readonly unknown[]): string {
  const bad = prompt.filter((x) => !isSupportedWithoutPoints(x));
  return `not supported without clicks: ${bad.join(', ')}; supported ids are 1-132 except 16, 18, 129, 130, 131, and ids 133-254 need point prompts (zero-shot)`;
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(3)));
}

function promptError(message: string, path: string, hint?: string): BundleError {
  return new BundleError('invalid_prompt', message, { location: { path }, ...(hint ? { hint } : {}) });
}
