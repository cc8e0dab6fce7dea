/**
 * ToTensord: MONAI converts to torch tensors. Our volumes have one representation, so as EnsureTyped this
 * casts volumes to `dtype` when one is given and otherwise passes the sample through; `device` is
 * ignored with a warning, `wrap_sequence` and `track_meta` have no effect.
 */
import type { ComponentEntry, JsonSchema } from '../../registry/ComponentEntry.js';
import { EnsureTyped, ensureTypedEntry, ensureTypedOptions } from './EnsureTyped.js';

export class ToTensord extends EnsureTyped {
  override readonly name: string = 'ToTensord';
}

/** EnsureTyped's arguments but data_type (ToTensord always makes tensors). */
function withoutDataType(schema: JsonSchema): JsonSchema {
  const { data_type: _dataType, ...properties } = schema.properties as Record<string, JsonSchema>;
  return { ...schema, properties };
}

export const toTensordEntry: ComponentEntry = {
  name: 'ToTensord',
  aliases: ['monai.transforms.ToTensord', 'ToTensorD', 'ToTensorDict'],
  description: 'Casts images to dtype when given; otherwise no effect (volumes have one representation; device is ignored with a warning).',
  argsSchema: withoutDataType(ensureTypedEntry.argsSchema),
  create: (args, context) => new ToTensord(ensureTypedOptions('ToTensord', args, context)),
};
