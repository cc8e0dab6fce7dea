/**
 * Lambdad: MONAI applies a Python function given in the config. A bundle here cannot hold code, so the
 * entry exists only to say so, at build time, and to point at the named transforms that do what zoo
 * bundles use Lambdad for.
 */
import { BundleError } from '../../errors/index.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';

export const LAMBDA_ALTERNATIVES = [
  'MapLabelValued (map label values: orig_labels -> target_labels)',
  'ChannelsToLabeld (one label per voxel from channels by ordered rules: torch.where(x[[c]] > t, label, ...))',
  'NanToNumd (torch.nan_to_num)',
  'SplitDimd / ConcatItemsd (select, split or join channels)',
  'AsDiscreted (argmax, threshold), CastToTyped (dtype)',
];

export const lambdadEntry: ComponentEntry = {
  name: 'Lambdad',
  aliases: ['monai.transforms.Lambdad', 'LambdaD', 'LambdaDict', 'monai.transforms.LambdaD'],
  description: 'Not available: runs a Python function. Use a named transform (MapLabelValued, ChannelsToLabeld, NanToNumd, SplitDimd, ConcatItemsd, AsDiscreted).',
  argsSchema: { type: 'object', description: 'any arguments: the entry only explains what to use instead' },
  create: (_args, context) => {
    throw new BundleError('invalid_arguments', 'Lambdad runs a Python function, which a bundle here cannot hold (configs contain no code).', {
      hint: `replace it with a named transform: ${LAMBDA_ALTERNATIVES.join('; ')}`,
      location: { id: context.id, path: '/func' },
    });
  },
};
