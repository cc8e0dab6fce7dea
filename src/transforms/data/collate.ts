/**
 * MONAI's list_data_collate as a check: a batch stacks every key of its samples, so the samples must have
 * the same keys, and the volumes under a key the same shape (torch.stack); plain values (paths, numbers,
 * lists) are collated into lists and may differ. The evaluator decollates the batch again before
 * post-processing (decollate_batch), so a batch's samples come out exactly as they went in, one by one:
 * we check what collation requires and keep the samples apart.
 */
import { BundleError } from '../../errors/index.js';
import { isVolume } from '../../image/Volume.js';
import type { Sample } from '../Transform.js';

/** Throws `invalid_data` when `batch` (items `first`... of the loader) could not be collated by MONAI. */
export function checkCollatable(batch: readonly Sample[], first: number, id?: string): void {
  if (batch.length < 2) return;
  const keys = Object.keys(batch[0]!).sort();
  const items = `items ${first + 1}-${first + batch.length}`;
  batch.forEach((sample, i) => {
    const own = Object.keys(sample).sort();
    if (own.join('\u0000') !== keys.join('\u0000')) {
      throw new BundleError('invalid_data', `DataLoader cannot collate ${items} into one batch: item ${first + i + 1} has keys ${JSON.stringify(own)}, item ${first + 1} has ${JSON.stringify(keys)}.`, {
        hint: 'give every data item the same keys, or use batch_size 1 (MONAI\'s list_data_collate fails here too)',
        location: { id, path: '/batch_size' },
      });
    }
  });
  for (const key of keys) {
    const firstValue = batch[0]![key];
    if (!isVolume(firstValue)) continue;
    batch.forEach((sample, i) => {
      const value = sample[key];
      const shape = isVolume(value) ? value.shape : undefined;
      if (!shape || shape.join() !== firstValue.shape.join()) {
        throw new BundleError(
          'invalid_data',
          `DataLoader cannot stack "${key}" of ${items} into one batch: item ${first + i + 1} has shape ${JSON.stringify(shape ?? typeof value)}, item ${first + 1} ${JSON.stringify(firstValue.shape)}.`,
          {
            hint: 'use batch_size 1 for images of different sizes, or bring them to one shape in the preprocessing (Resized); MONAI\'s list_data_collate fails here too',
            location: { id, path: '/batch_size' },
          },
        );
      }
    });
  }
}
