/**
 * EnsureChannelFirstd. Volumes are channel-first from the moment they are loaded (the NIfTI reader adds
 * the channel axis of a 3-D file and moves a 4-D/5-D file's last axis to the front, as MONAI's
 * EnsureChannelFirst does for NIfTI), so this transform checks that each key holds a [C, X, Y, Z] volume
 * and passes it through. `channel_dim` and `strict_check` are accepted for compatibility with MONAI configs.
 */
import { BundleError } from '../../errors/index.js';
import type { Volume } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions } from '../MapTransform.js';

export class EnsureChannelFirstd extends MapTransform {
  readonly name = 'EnsureChannelFirstd';

  constructor(options: MapTransformOptions) {
    super(options);
  }

  protected override transformVolume(volume: Volume, key: string): Volume {
    if (volume.shape.length !== 4) {
      throw new BundleError('invalid_data', `EnsureChannelFirstd expects a [C, X, Y, Z] volume under "${key}" but its shape is [${volume.shape.join(', ')}].`, {
        hint: 'only 3-D images (with an optional channel axis) are supported',
        location: { id: this.id, path: key },
      });
    }
    return volume;
  }
}

export const ensureChannelFirstdEntry: ComponentEntry = {
  name: 'EnsureChannelFirstd',
  aliases: ['monai.transforms.EnsureChannelFirstd', 'EnsureChannelFirstD', 'EnsureChannelFirstDict'],
  description: 'Makes each image channel-first, [C, X, Y, Z] (images are loaded channel-first, so this checks the layout).',
  argsSchema: mapTransformSchema({
    channel_dim: {
      description: "the file's channel axis; accepted for compatibility: the loader already puts channels first",
      oneOf: [{ type: 'integer' }, { type: 'string', enum: ['no_channel'] }, { type: 'null' }],
    },
    strict_check: { type: 'boolean', default: true, description: 'accepted for compatibility' },
  }),
  create: (args: { keys: string | string[]; allow_missing_keys?: boolean }, context) =>
    new EnsureChannelFirstd({ keys: args.keys, allowMissingKeys: args.allow_missing_keys, id: context.id }),
};
