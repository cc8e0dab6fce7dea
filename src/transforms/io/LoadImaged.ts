/**
 * LoadImaged: replaces each key's file path with the loaded Volume (MONAI's LoadImaged with the
 * NibabelReader). Volumes are always channel first, [C, X, Y, Z], so `ensure_channel_first` changes nothing.
 * A list of paths loads each file and stacks them as channels, as MONAI does.
 *
 * `reader`: zoo bundles name ITKReader, NibabelReader or PydicomReader. All three are accepted, and all read
 * NIfTI files with the one NIfTI reader underneath (nibabel's rules: the sform when its code is set, else
 * the qform). For ordinary NIfTI files MONAI's readers give the same array and RAS affine; ITK may prefer
 * the qform where a file's sform and qform disagree. DICOM is not read: a folder (a DICOM series) or a
 * .dcm file is an `unsupported_image` error that says how to convert it to NIfTI.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { BundleError } from '../../errors/index.js';
import { readNifti } from '../../image/nifti/read.js';
import { allocate, type DType, type Volume } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions, perKey } from '../MapTransform.js';
import type { Sample } from '../Transform.js';
import { dtypeSchema, parseDType } from '../utility/dtypes.js';

export interface LoadImagedOptions extends MapTransformOptions {
  /** output dtype; default float32; null keeps the file's (scaled) type */
  dtype?: DType | null;
  /** false: also put a MONAI-style meta dict under `<key>_<metaKeyPostfix>` (or `metaKeys`) */
  imageOnly?: boolean;
  metaKeys?: string | (string | null)[] | null;
  metaKeyPostfix?: string;
  overwriting?: boolean;
  /** expand a leading "~/" to the home folder, as MONAI does; default true */
  expandUser?: boolean;
  /** the MONAI reader the bundle named (for messages); every one reads NIfTI with the same reader */
  reader?: string | null;
}

/** MONAI reader names accepted as `reader` (also with the `monai.data.` prefix, in any case). */
export const READER_NAMES = ['NibabelReader', 'ITKReader', 'PydicomReader'];

/** The canonical reader name of a `reader` value, or undefined when it names no accepted reader. */
export function readerName(value: string): string | undefined {
  const bare = value.replace(/^monai\.data\.(image_reader\.)?/, '').toLowerCase();
  return READER_NAMES.find((n) => n.toLowerCase() === bare);
}

export class LoadImaged extends MapTransform {
  readonly name = 'LoadImaged';
  readonly dtype: DType | null;
  readonly imageOnly: boolean;
  readonly metaKeyNames: string[];
  readonly overwriting: boolean;
  readonly expandUser: boolean;
  readonly reader: string;

  constructor(options: LoadImagedOptions) {
    super(options);
    this.reader = options.reader ?? 'NibabelReader';
    this.dtype = options.dtype === undefined ? 'float32' : options.dtype;
    this.imageOnly = options.imageOnly ?? true;
    this.overwriting = options.overwriting ?? false;
    this.expandUser = options.expandUser ?? true;
    const postfix = options.metaKeyPostfix ?? 'meta_dict';
    const metaKeys = perKey<string | null>(options.metaKeys ?? null, this.keys, 'meta_keys', this.name, this.id);
    this.metaKeyNames = this.keys.map((key, i) => metaKeys[i] ?? `${key}_${postfix}`);
  }

  override async apply(sample: Sample): Promise<Sample> {
    const out: Sample = { ...sample };
    for (const key of this.presentKeys(sample)) {
      const volume = await this.load(sample[key], key);
      out[key] = volume;
      if (!this.imageOnly) {
        const metaKey = this.metaKeyNames[this.keys.indexOf(key)]!;
        if (metaKey in out && !this.overwriting) {
          throw new BundleError('invalid_data', `LoadImaged would overwrite the existing key "${metaKey}" with the meta data of "${key}".`, {
            hint: 'set overwriting to true, or choose other meta_keys',
            location: { id: this.id, path: metaKey },
          });
        }
        out[metaKey] = metaDict(volume);
      }
    }
    return out;
  }

  private async load(value: unknown, key: string): Promise<Volume> {
    const where = { id: this.id, path: key };
    const asPath = (v: unknown): string => {
      if (typeof v !== 'string' || v === '') {
        throw new BundleError('invalid_data', `LoadImaged expects a file path under key "${key}" but found ${describeValue(v)}.`, {
          hint: 'give the image as a path string, e.g. {"image": "ct.nii.gz"}',
          location: where,
        });
      }
      return this.expandUser && (v === '~' || v.startsWith('~/')) ? homedir() + v.slice(1) : v;
    };
    const read = (file: string) => {
      this.refuseDicom(file, key);
      return readNifti(file, { dtype: this.dtype });
    };
    try {
      if (!Array.isArray(value)) return only3d(await read(asPath(value)));
      if (value.length === 0) throw new BundleError('invalid_data', `LoadImaged got an empty list of files under key "${key}".`, { location: where });
      const volumes: Volume[] = [];
      for (const item of value) volumes.push(only3d(await read(asPath(item))));
      return stackChannels(volumes, key, this.id);
    } catch (error) {
      if (error instanceof BundleError) throw error.withLocation(where);
      throw error;
    }
  }

  /** A DICOM series (a folder) or file: say that only NIfTI is read and how to convert. */
  private refuseDicom(file: string, key: string): void {
    let folder = false;
    try {
      folder = statSync(file).isDirectory();
    } catch {
      return; // a missing file is reported by the NIfTI reader
    }
    if (!folder && !/\.dcm$/i.test(file)) return;
    throw new BundleError(
      'unsupported_image',
      `LoadImaged (reader ${this.reader}) got ${folder ? 'a folder' : 'a DICOM file'} under key "${key}": DICOM is not read here, only NIfTI files (.nii, .nii.gz).`,
      {
        hint: `convert the series to NIfTI first, e.g. \`dcm2niix -z y -o <out_dir> ${folder ? file : '<series_folder>'}\`, and give the .nii.gz path`,
        location: { id: this.id, path: key, file },
      },
    );
  }
}

/**
 * Volumes here are 3-D ([C, X, Y, Z]); a 2-D file would pass as X x Y x 1 and come out with another shape
 * than it went in (MONAI keeps it 2-D, and a 3-D bundle then fails or differs), so it is rejected by name.
 */
function only3d(volume: Volume): Volume {
  const fileShape = (volume.meta.nifti as { shape?: number[] } | undefined)?.shape;
  if (fileShape && fileShape.length < 3) {
    throw new BundleError('unsupported_image', `${volume.meta.filename ?? 'the image'} is a ${fileShape.length}-D image (${fileShape.join('x')}); LoadImaged loads 3-D volumes (X, Y, Z), which the transforms and networks here expect.`, {
      hint: 'give a 3-D NIfTI; a single slice must be stored as 3-D with a third axis of size 1 (NIfTI dim[0] = 3)',
      location: { file: volume.meta.filename },
    });
  }
  return volume;
}

/** Several files as the channels of one volume; they must share the spatial shape and affine. */
function stackChannels(volumes: Volume[], key: string, id: string | undefined): Volume {
  const first = volumes[0]!;
  if (volumes.length === 1) return first;
  for (const v of volumes.slice(1)) {
    const sameGrid =
      v.shape.slice(1).every((d, i) => d === first.shape[i + 1]) &&
      v.affine.every((row, r) => row.every((x, c) => Math.abs(x - first.affine[r]![c]!) <= 1e-6 * Math.max(1, Math.abs(x))));
    if (!sameGrid || v.dtype !== first.dtype) {
      throw new BundleError('invalid_data', `LoadImaged cannot stack the files under key "${key}": their shapes, affines or dtypes differ.`, {
        hint: 'stacked files must share the same grid (resample them first) and the same dtype',
        location: { id, path: key, file: v.meta.filename },
      });
    }
  }
  const channels = volumes.reduce((n, v) => n + v.shape[0]!, 0);
  const data = allocate(first.dtype, channels * (first.data.length / first.shape[0]!));
  let offset = 0;
  for (const v of volumes) {
    data.set(v.data as ArrayLike<number>, offset);
    offset += v.data.length;
  }
  return { ...first, data, shape: [channels, ...first.shape.slice(1)], meta: { ...first.meta } };
}

/** MONAI's meta dict keys (snake_case), for image_only=false. */
function metaDict(volume: Volume): Record<string, unknown> {
  return {
    affine: volume.affine.map((row) => row.slice()),
    original_affine: volume.meta.originalAffine.map((row) => row.slice()),
    spatial_shape: volume.shape.slice(1),
    original_channel_dim: volume.shape[0] === 1 ? 'no_channel' : -1,
    filename_or_obj: volume.meta.filename,
    space: 'RAS',
    stored_dtype: volume.meta.storedDtype,
    nifti: volume.meta.nifti,
  };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return ArrayBuffer.isView((value as { data?: unknown }).data) ? 'an already loaded image' : 'an object';
  return `a ${typeof value}`;
}

interface LoadImagedArgs {
  keys: string | string[];
  reader?: string | null;
  dtype?: string | null;
  image_only?: boolean;
  ensure_channel_first?: boolean;
  meta_keys?: string | (string | null)[] | null;
  meta_key_postfix?: string;
  overwriting?: boolean;
  simple_keys?: boolean;
  expanduser?: boolean;
  allow_missing_keys?: boolean;
}

export const loadImagedEntry: ComponentEntry<LoadImagedArgs, LoadImaged> = {
  name: 'LoadImaged',
  aliases: ['monai.transforms.LoadImaged', 'LoadImageD', 'LoadImageDict', 'monai.transforms.LoadImageD'],
  description: 'Loads NIfTI images (.nii, .nii.gz) from the paths under the keys, as MONAI LoadImaged (ITKReader, NibabelReader and PydicomReader all read NIfTI here).',
  argsSchema: mapTransformSchema({
    reader: {
      oneOf: [
        { type: 'null' },
        { type: 'string', enum: READER_NAMES.flatMap((n) => [n, `monai.data.${n}`, n.toLowerCase()]) },
      ],
      description: 'ITKReader, NibabelReader, PydicomReader: all read NIfTI files with the one NIfTI reader; DICOM is not read',
    },
    dtype: { oneOf: [{ type: 'null' }, dtypeSchema], default: 'float32', description: 'output dtype; null keeps the stored type' },
    image_only: { type: 'boolean', default: true },
    ensure_channel_first: { type: 'boolean', default: false, description: 'volumes are always channel first; accepted for compatibility' },
    meta_keys: {
      oneOf: [{ type: 'null' }, { type: 'string' }, { type: 'array', items: { type: ['string', 'null'] } }],
      description: 'keys of the meta dicts (image_only false); default <key>_<meta_key_postfix>',
    },
    meta_key_postfix: { type: 'string', default: 'meta_dict' },
    overwriting: { type: 'boolean', default: false },
    simple_keys: { type: 'boolean', default: false },
    expanduser: { type: 'boolean', default: true },
  }),
  create: (args, context) => {
    const dtype = args.dtype === undefined ? undefined : args.dtype === null ? null : parseDType(args.dtype, 'dtype', 'LoadImaged', context.id);
    return new LoadImaged({
      keys: args.keys,
      allowMissingKeys: args.allow_missing_keys,
      dtype,
      imageOnly: args.image_only,
      metaKeys: args.meta_keys,
      metaKeyPostfix: args.meta_key_postfix,
      overwriting: args.overwriting,
      expandUser: args.expanduser,
      reader: args.reader == null ? null : readerName(args.reader),
      id: context.id,
    });
  },
};
