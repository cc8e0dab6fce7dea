/**
 * ToDeviced: MONAI moves tensors to a torch device. Here data stays in host memory and where a network
 * runs is chosen by onnxruntime's execution provider, so this passes the sample through unchanged and,
 * for a device other than the CPU, says so once, when it is built.
 */
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema } from '../MapTransform.js';
import { isOtherDevice } from './EnsureTyped.js';
import type { Sample } from '../Transform.js';

export class ToDeviced extends MapTransform {
  readonly name = 'ToDeviced';

  override async apply(sample: Sample): Promise<Sample> {
    this.presentKeys(sample); // a missing key is still an error, as in MONAI
    return sample;
  }
}

interface Args {
  keys: string | string[];
  device?: unknown;
  allow_missing_keys?: boolean;
  non_blocking?: boolean;
}

export const toDevicedEntry: ComponentEntry<Args, ToDeviced> = {
  name: 'ToDeviced',
  aliases: ['monai.transforms.ToDeviced', 'ToDeviceD', 'ToDeviceDict'],
  description: 'No effect (a warning for a device other than the CPU): data stays in host memory; the network device is the onnxruntime execution provider.',
  argsSchema: mapTransformSchema({
    device: { description: 'accepted and ignored' },
    non_blocking: { type: 'boolean', description: 'accepted and ignored' },
  }),
  create: (args, context) => {
    if (isOtherDevice(args.device)) context.logger.warn(`${context.id}: ToDeviced has no effect here (data stays in host memory; the network runs where onnxruntime's execution provider puts it)`);
    return new ToDeviced({ keys: args.keys, allowMissingKeys: args.allow_missing_keys, id: context.id });
  },
};
