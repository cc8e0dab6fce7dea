/**
 * A bundle may declare the keys its `input_dict` takes, in its metadata:
 *   "input_dict_keys": {"image": "the CT", "label_prompt": "class ids or names", ...}
 * Then a key it does not declare (`lable_prompt`) is an error naming the closest declared key, before
 * anything runs, instead of being carried along unread (for VISTA3D: a silent switch to everything mode).
 */
import type { BundleConfig } from '../config/index.js';
import { BundleError } from '../errors/index.js';
import { closestNames } from '../util/closest.js';

export const INPUT_KEYS_ID = '_meta_::input_dict_keys';

export async function checkInputDictKeys(config: BundleConfig, inputId = 'input_dict'): Promise<void> {
  if (!config.has(INPUT_KEYS_ID) || !config.has(inputId)) return;
  const declared = config.raw(INPUT_KEYS_ID);
  const keys = Array.isArray(declared) ? declared.map(String) : declared !== null && typeof declared === 'object' ? Object.keys(declared) : null;
  if (!keys) {
    throw new BundleError('invalid_metadata', `"input_dict_keys" in the metadata must be a dict of key -> description (or a list of keys).`, {
      location: { id: INPUT_KEYS_ID, origin: config.origin(INPUT_KEYS_ID) },
    });
  }
  const value = await config.resolve(inputId);
  const items = Array.isArray(value) ? value : [value];
  for (const [n, item] of items.entries()) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) continue; // the dataset reports non-dicts
    for (const key of Object.keys(item)) {
      if (keys.includes(key)) continue;
      throw new BundleError('unknown_input_key', `${inputId}${Array.isArray(value) ? `[${n}]` : ''} has the key "${key}", which this bundle does not take.`, {
        location: { id: inputId, origin: config.origin(inputId) },
        candidates: closestNames(key, keys, 1),
        hint: `the keys it takes (metadata "input_dict_keys"): ${keys.join(', ')}`,
      });
    }
  }
}
