/**
 * SaveImaged: writes each key's volume as NIfTI, named after its source file as MONAI's folder layout does:
 * `<output_dir>/<stem>/<stem>_<postfix><ext>` (separate_folder) or `<output_dir>/<stem>_<postfix><ext>`,
 * where stem is the source's base name without `.gz` and then one more extension. The source is the
 * volume's meta.filename (Invertd copies the image's meta to the prediction). The sample passes through.
 * The header's sform/qform codes are the source file's where it set them, else 1 (MONAI always writes 1).
 *
 * As MONAI's NibabelWriter: `resample: true` resamples the volume from its current grid onto the grid it
 * was loaded on (meta originalAffine and originalSpatialShape; MONAI's original_affine and spatial_shape)
 * with `mode` (nearest, MONAI's default, or bilinear) and `padding_mode` (border or zeros), and writes it
 * with that affine; nothing happens when the grids already agree. `output_dtype` casts as numpy's astype
 * (floats truncate toward zero, integers wrap: -1.5 as uint8 is 255). `scale` only concerns MONAI's PNG
 * writer: for NIfTI MONAI ignores it, and so do we, with a warning.
 */
import path from 'node:path';
import { BundleError } from '../../errors/index.js';
import { writeNifti } from '../../image/nifti/write.js';
import type { DType, Volume } from '../../image/Volume.js';
import { type ComponentEntry, type Logger, silentLogger } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions } from '../MapTransform.js';
import type { Sample } from '../Transform.js';
import { dtypeSchema, parseDType } from '../utility/dtypes.js';
import { resampleVolume, resamplingIsIdentity, type InterpolationMode, type PaddingMode } from '../spatial/resample.js';

export interface SaveImagedOptions extends MapTransformOptions {
  outputDir?: string;
  outputPostfix?: string;
  /** ".nii.gz" (default) or ".nii" */
  outputExt?: string;
  /** stored dtype; default float32 (MONAI's default); null keeps the volume's dtype */
  outputDtype?: DType | null;
  separateFolder?: boolean;
  /** MONAI's data_root_dir: keep the source's folders below this root in the output */
  dataRootDir?: string;
  /** resample onto the grid the volume was loaded on before writing */
  resample?: boolean;
  mode?: InterpolationMode;
  paddingMode?: PaddingMode;
  printLog?: boolean;
  /**
   * record the written path in the returned volume's meta (`saved_to`). MONAI defaults to false; we default
   * to true because `bundle run` lists the files written and its run summary reads them from there.
   */
  savepathInMetadict?: boolean;
  logger?: Logger;
}

const EXTENSIONS = ['.nii.gz', '.nii'];

/** MONAI's `create_file_basename`: the output path without extension. */
export function outputBasename(source: string, outputDir: string, postfix: string, separateFolder: boolean, dataRootDir = ''): string {
  const folder = path.dirname(source);
  let stem = path.basename(source);
  let ext = path.extname(stem);
  stem = stem.slice(0, stem.length - ext.length);
  if (ext === '.gz') {
    ext = path.extname(stem);
    stem = stem.slice(0, stem.length - ext.length);
  }
  let out = path.join(outputDir, dataRootDir ? path.relative(dataRootDir, folder) : '');
  if (separateFolder) out = path.join(out, stem);
  out = path.join(out, stem);
  if (postfix.length > 0) out += `_${postfix}`;
  return path.resolve(out);
}

export class SaveImaged extends MapTransform {
  readonly name = 'SaveImaged';
  readonly outputDir: string;
  readonly outputPostfix: string;
  readonly outputExt: string;
  readonly outputDtype: DType | null;
  readonly separateFolder: boolean;
  readonly dataRootDir: string;
  readonly resample: boolean;
  readonly mode: InterpolationMode;
  readonly paddingMode: PaddingMode;
  readonly printLog: boolean;
  readonly savepathInMetadict: boolean;
  readonly logger: Logger;

  constructor(options: SaveImagedOptions) {
    super(options);
    this.outputDir = options.outputDir ?? './';
    this.outputPostfix = options.outputPostfix ?? 'trans';
    let ext = (options.outputExt ?? '.nii.gz').toLowerCase();
    if (ext && !ext.startsWith('.')) ext = `.${ext}`;
    if (!EXTENSIONS.includes(ext)) {
      throw new BundleError('invalid_arguments', `SaveImaged cannot write "${options.outputExt}" files.`, {
        hint: 'output_ext must be ".nii.gz" or ".nii" (NIfTI is the only output format)',
        location: { id: this.id, path: '/output_ext' },
      });
    }
    this.outputExt = ext;
    this.outputDtype = options.outputDtype === undefined ? 'float32' : options.outputDtype;
    this.separateFolder = options.separateFolder ?? true;
    this.dataRootDir = options.dataRootDir ?? '';
    this.resample = options.resample ?? false;
    this.mode = options.mode ?? 'nearest';
    this.paddingMode = options.paddingMode ?? 'border';
    this.printLog = options.printLog ?? true;
    this.savepathInMetadict = options.savepathInMetadict ?? true;
    this.logger = options.logger ?? silentLogger;
  }

  /** Where `volume` would be written. */
  outputPath(volume: Volume, key: string): string {
    const source = volume.meta.filename;
    if (typeof source !== 'string' || source === '') {
      throw new BundleError('invalid_data', `SaveImaged cannot name the output for key "${key}": the image has no source file name.`, {
        hint: 'outputs are named after the loaded input (meta.filename); load the image with LoadImaged, or copy its meta with Invertd',
        location: { id: this.id, path: key },
      });
    }
    return outputBasename(source, this.outputDir, this.outputPostfix, this.separateFolder, this.dataRootDir) + this.outputExt;
  }

  protected override async transformVolume(volume: Volume, key: string): Promise<Volume> {
    const file = this.outputPath(volume, key);
    const written = this.resample ? this.toOriginalGrid(volume, key) : volume;
    try {
      await writeNifti(file, written, { dtype: this.outputDtype ?? volume.dtype, ...sourceXformCodes(volume) });
    } catch (error) {
      if (error instanceof BundleError) throw error.withLocation({ id: this.id, path: key });
      throw error;
    }
    if (this.printLog) this.logger.info(`writing: ${file}`);
    return this.savepathInMetadict ? { ...volume, meta: { ...volume.meta, saved_to: file } } : volume;
  }

  /** MONAI's resample_if_needed onto (original_affine, spatial_shape); the volume itself when they agree. */
  private toOriginalGrid(volume: Volume, key: string): Volume {
    const { originalAffine, originalSpatialShape } = volume.meta;
    if (!Array.isArray(originalAffine) || !Array.isArray(originalSpatialShape) || originalSpatialShape.length !== volume.shape.length - 1) {
      throw new BundleError('invalid_data', `SaveImaged cannot resample "${key}": the image does not record the grid it was loaded on.`, {
        hint: 'load the image with LoadImaged (which records it), or set resample to false',
        location: { id: this.id, path: key },
      });
    }
    // an unchanged grid keeps the values (and dtype) as they are
    if (resamplingIsIdentity(volume.affine, volume.shape.slice(1), originalAffine, originalSpatialShape)) return volume;
    return resampleVolume(volume, originalAffine, originalSpatialShape, this.mode, this.paddingMode);
  }
}

/**
 * The source file's sform/qform codes where it set them (> 0), else 1 as MONAI writes: the world frame
 * is the source's (scanner, aligned, template...) whatever grid the volume is on now.
 */
function sourceXformCodes(volume: Volume): { sformCode: number; qformCode: number } {
  const nifti = volume.meta.nifti as { sformCode?: unknown; qformCode?: unknown } | undefined;
  const code = (value: unknown): number => (typeof value === 'number' && value > 0 ? value : 1);
  return { sformCode: code(nifti?.sformCode), qformCode: code(nifti?.qformCode) };
}


interface SaveImagedArgs {
  keys: string | string[];
  meta_keys?: unknown;
  meta_key_postfix?: string;
  output_dir?: string;
  output_postfix?: string;
  output_ext?: string;
  resample?: boolean;
  mode?: InterpolationMode;
  padding_mode?: PaddingMode;
  scale?: number | null;
  dtype?: string | null;
  output_dtype?: string | null;
  squeeze_end_dims?: boolean;
  data_root_dir?: string;
  separate_folder?: boolean;
  print_log?: boolean;
  output_format?: string;
  savepath_in_metadict?: boolean;
  allow_missing_keys?: boolean;
}

export const saveImagedEntry: ComponentEntry<SaveImagedArgs, SaveImaged> = {
  name: 'SaveImaged',
  aliases: ['monai.transforms.SaveImaged', 'SaveImageD', 'SaveImageDict', 'monai.transforms.SaveImageD'],
  description: 'Writes the images under the keys as NIfTI, named <output_dir>/<stem>/<stem>_<postfix><ext> as MONAI SaveImaged.',
  argsSchema: mapTransformSchema({
    meta_keys: { description: 'accepted for compatibility; the meta data travels with the image' },
    meta_key_postfix: { type: 'string', default: 'meta_dict' },
    output_dir: { type: 'string', default: './', description: 'output folder, relative to the current directory' },
    output_postfix: { type: 'string', default: 'trans' },
    output_ext: { type: 'string', default: '.nii.gz', description: '.nii.gz or .nii' },
    resample: { type: 'boolean', default: false, description: 'resample onto the grid the image was loaded on (original affine and shape) before writing' },
    mode: { type: 'string', enum: ['nearest', 'bilinear'], default: 'nearest', description: 'interpolation for resample' },
    padding_mode: { type: 'string', enum: ['border', 'zeros'], default: 'border', description: 'outside the input, for resample' },
    scale: { oneOf: [{ type: 'null' }, { type: 'integer', enum: [255, 65535] }], default: null, description: "MONAI's PNG scaling; ignored for NIfTI (as MONAI)" },
    dtype: { oneOf: [{ type: 'null' }, dtypeSchema], description: 'resampling compute dtype; resampling computes coordinates in float64 and values in float32' },
    output_dtype: { oneOf: [{ type: 'null' }, dtypeSchema], default: 'float32', description: 'stored dtype; null keeps the image dtype' },
    squeeze_end_dims: { type: 'boolean', default: true },
    data_root_dir: { type: 'string', default: '' },
    separate_folder: { type: 'boolean', default: true },
    print_log: { type: 'boolean', default: true },
    output_format: { type: 'string', enum: ['', 'nii', 'nii.gz', 'nifti'] },
    savepath_in_metadict: { type: 'boolean', default: true },
  }),
  create: (args, context) => {
    const outputDtype =
      args.output_dtype === undefined ? undefined : args.output_dtype === null ? null : parseDType(args.output_dtype, 'output_dtype', 'SaveImaged', context.id);
    if (args.dtype) parseDType(args.dtype, 'dtype', 'SaveImaged', context.id);
    if (args.scale != null) context.logger.warn(`${context.id}: SaveImaged scale ${args.scale} has no effect on NIfTI output (MONAI applies it only to PNG); values are written unscaled`);
    return new SaveImaged({
      keys: args.keys,
      allowMissingKeys: args.allow_missing_keys,
      outputDir: args.output_dir,
      outputPostfix: args.output_postfix,
      outputExt: args.output_ext ?? (args.output_format === 'nii' ? '.nii' : undefined),
      outputDtype,
      separateFolder: args.separate_folder,
      dataRootDir: args.data_root_dir,
      resample: args.resample,
      mode: args.mode,
      paddingMode: args.padding_mode,
      printLog: args.print_log,
      savepathInMetadict: args.savepath_in_metadict,
      logger: context.logger,
      id: context.id,
    });
  },
};
