/** The transform layer's public surface. */
export * from './Transform.js';
export * from './MapTransform.js';
export { transformEntries } from './entries.js';
export * from './utility/dtypes.js';
export { EnsureChannelFirstd } from './utility/EnsureChannelFirstd.js';
export { EnsureTyped } from './utility/EnsureTyped.js';
export { CastToTyped } from './utility/CastToTyped.js';
export { ScaleIntensityRanged, scaleRange } from './intensity/ScaleIntensityRanged.js';
export { ScaleIntensityd } from './intensity/ScaleIntensityd.js';
export { NanToNumd } from './intensity/NanToNumd.js';
export { Activationsd } from './post/Activationsd.js';
export { AsDiscreted } from './post/AsDiscreted.js';
export { KeepLargestConnectedComponentd } from './post/KeepLargestConnectedComponentd.js';
export * from './post/connectedComponents.js';
export { Dataset } from './data/Dataset.js';
export { DataLoader } from './data/DataLoader.js';
