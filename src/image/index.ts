// The image layer's public surface.
export * from './Volume.js';
export { readNifti, type ReadNiftiOptions } from './nifti/read.js';
export { writeNifti, type WriteNiftiOptions } from './nifti/write.js';
export { parseHeader, type NiftiHeader } from './nifti/header.js';
export { chooseAffine, type ChosenAffine, type AffineSource, type AffineCorrection } from './nifti/affine.js';
export { affineToQform, qformToAffine, type QformParams } from './nifti/quaternion.js';
export * from './geometry.js';
export * from './orientation.js';
