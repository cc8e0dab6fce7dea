/**
 * test/fixtures/zoo-parity/cases.json, the one list of zoo-parity bundles: read by the parity tests
 * (test/helpers/zooParity.ts), bench/zoo.ts and tools/monai/make_zoo_fixtures.py.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from './shared.js';

/** One entry of test/fixtures/zoo-parity/cases.json (read by make_zoo_fixtures.py too). */
export interface ZooCase {
  bundle: string;
  config: string;
  /** input image, relative to ../shared ... */
  image?: string;
  /**
   * ... or relative to test/fixtures/zoo-parity (a small volume made for a bundle the shared ones do not fit);
   * a list is one multi-file image (LoadImaged stacks the files as channels, e.g. brats' four MR contrasts)
   */
  image_in_repo?: string | string[];
  /** the datalist's form: a list of paths, or of {image: path} */
  datalist: 'paths' | 'dicts';
  /** the config id holding the datalist (default "datalist") */
  datalist_id?: string;
  /** ids set to the input image's folder on both sides (e.g. a dataset_dir that SaveImaged's data_root_dir uses) */
  image_dir_ids?: string[];
  /** overrides both sizes need, for the MONAI in use (e.g. `~network_def#img_size`: null removes an id) */
  compat?: Record<string, unknown>;
  /** network_def overrides of the small committed network (`id#arg`: value) */
  network?: Record<string, unknown>;
  /** the output file, relative to output_dir, as MONAI and we write it */
  output: string;
  /** ONNX opset for the export, where the default (17) does not export the network */
  opset?: number;
  /** ids `bundle convert` cannot translate (it then runs with --allow-partial) and both sides override (e.g. a pandas datalist) */
  untranslated?: string[];
  /** false where the bundle's Invertd maps an argmax taken in network space back with its own interpolation, not nearest */
  nearest_inverse?: boolean;
  /** why this case has no committed fixture (it runs in the heavy test and the bench only) */
  not_committed?: string;
}

export const ZOO_PARITY_DIR = repoPath('test', 'fixtures', 'zoo-parity');

/** The cases, narrowed to the named bundles when `only` is given. */
export function zooCases(only?: string[]): ZooCase[] {
  const { cases } = JSON.parse(readFileSync(path.join(ZOO_PARITY_DIR, 'cases.json'), 'utf8')) as { cases: ZooCase[] };
  return cases.filter((c) => !only || only.includes(c.bundle));
}

/** An image input: one file, or the files of a multi-file image. */
export type CaseImage = string | string[];

/** The case's in-repo image as absolute path(s); undefined for a case whose image is in ../shared. */
export function inRepoImage(c: ZooCase): CaseImage | undefined {
  const given = c.image_in_repo;
  if (given === undefined) return undefined;
  return Array.isArray(given) ? given.map((f) => path.join(ZOO_PARITY_DIR, f)) : path.join(ZOO_PARITY_DIR, given);
}

/** The folder of the image (of its first file), which `image_dir_ids` are set to. */
export function imageDir(image: CaseImage): string {
  return path.dirname(Array.isArray(image) ? image[0]! : image);
}

export function caseDatalist(c: ZooCase, image: CaseImage): unknown[] {
  return c.datalist === 'dicts' ? [{ image }] : [image];
}
