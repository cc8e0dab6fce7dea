/**
 * Every transform-layer registry entry, as a plain list (the CLI's default registry gathers it).
 * Each helper appends its own entries here.
 */
import type { ComponentEntry } from '../registry/ComponentEntry.js';
import { dataLoaderEntry } from './data/DataLoader.js';
import { datasetEntry } from './data/Dataset.js';
import { nanToNumdEntry } from './intensity/NanToNumd.js';
import { scaleIntensitydEntry } from './intensity/ScaleIntensityd.js';
import { scaleIntensityRangedEntry } from './intensity/ScaleIntensityRanged.js';
import { activationsdEntry } from './post/Activationsd.js';
import { asDiscretedEntry } from './post/AsDiscreted.js';
import { keepLargestConnectedComponentdEntry } from './post/KeepLargestConnectedComponentd.js';
import { castToTypedEntry } from './utility/CastToTyped.js';
import { ensureChannelFirstdEntry } from './utility/EnsureChannelFirstd.js';
import { ensureTypedEntry } from './utility/EnsureTyped.js';

export const transformEntries: ComponentEntry[] = [
  ensureChannelFirstdEntry,
  ensureTypedEntry,
  castToTypedEntry,
  scaleIntensityRangedEntry,
  scaleIntensitydEntry,
  nanToNumdEntry,
  activationsdEntry,
  asDiscretedEntry,
  keepLargestConnectedComponentdEntry,
  datasetEntry,
  dataLoaderEntry,
];
