/**
 * Every transform-layer registry entry, as a plain list (the CLI's default registry gathers it).
 * Each helper appends its own entries here.
 */
import type { ComponentEntry } from '../registry/ComponentEntry.js';
import { dataLoaderEntry } from './data/DataLoader.js';
import { datasetEntry } from './data/Dataset.js';
import { normalizeIntensitydEntry } from './intensity/NormalizeIntensityd.js';
import { nanToNumdEntry } from './intensity/NanToNumd.js';
import { scaleIntensitydEntry } from './intensity/ScaleIntensityd.js';
import { scaleIntensityRangedEntry } from './intensity/ScaleIntensityRanged.js';
import { scaleIntensityRangePercentilesdEntry } from './intensity/ScaleIntensityRangePercentilesd.js';
import { activationsdEntry } from './post/Activationsd.js';
import { asDiscretedEntry } from './post/AsDiscreted.js';
import { keepLargestConnectedComponentdEntry } from './post/KeepLargestConnectedComponentd.js';
import { castToTypedEntry } from './utility/CastToTyped.js';
import { ensureChannelFirstdEntry } from './utility/EnsureChannelFirstd.js';
import { ensureTypedEntry } from './utility/EnsureTyped.js';
import { concatItemsdEntry } from './utility/ConcatItemsd.js';
import { channelsToLabeldEntry } from './utility/ChannelsToLabeld.js';
import { lambdadEntry } from './utility/Lambdad.js';
import { mapLabelValuedEntry } from './utility/MapLabelValued.js';
import { splitDimdEntry } from './utility/SplitDimd.js';
import { toDevicedEntry } from './utility/ToDeviced.js';
import { toTensordEntry } from './utility/ToTensord.js';
import { composeEntry } from './Compose.js';
import { cropForegrounddEntry } from './crop/CropForegroundd.js';
import { invertdEntry } from './post/Invertd.js';
import { orientationdEntry } from './spatial/Orientationd.js';
import { spacingdEntry } from './spatial/Spacingd.js';
import { resizedEntry } from './spatial/Resized.js';
import { loadImagedEntry } from './io/LoadImaged.js';
import { saveImagedEntry } from './io/SaveImaged.js';

export const transformEntries: ComponentEntry[] = [
  ensureChannelFirstdEntry,
  ensureTypedEntry,
  toTensordEntry,
  toDevicedEntry,
  mapLabelValuedEntry,
  splitDimdEntry,
  concatItemsdEntry,
  channelsToLabeldEntry,
  lambdadEntry,
  castToTypedEntry,
  scaleIntensityRangedEntry,
  scaleIntensityRangePercentilesdEntry,
  scaleIntensitydEntry,
  nanToNumdEntry,
  normalizeIntensitydEntry,
  activationsdEntry,
  asDiscretedEntry,
  keepLargestConnectedComponentdEntry,
  datasetEntry,
  dataLoaderEntry,
  spacingdEntry,
  resizedEntry,
  orientationdEntry,
  cropForegrounddEntry,
  invertdEntry,
  composeEntry,
  loadImagedEntry,
  saveImagedEntry,
];
