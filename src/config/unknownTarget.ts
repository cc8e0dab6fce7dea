/** The one `unknown_target` error (check, resolution and the registry all raise it). */
import { BundleError, type ErrorLocation } from '../errors/index.js';
import { closestNames } from '../util/closest.js';

/** MONAI's network classes (monai.networks.nets): Python modules, which run here only as exported ONNX files. */
const MONAI_NETWORKS = new Set(
  ('AHNet AttentionUnet AutoEncoder AutoencoderKL BasicUNet BasicUNetPlusPlus ControlNet DAF3D DiffusionModelUNet DiNTS DenseNet ' +
    'DenseNet121 DynUNet EfficientNetBN FlexibleUNet FullyConnectedNet HighResNet HoVerNet MILModel Quicknat Regressor RegUNet ' +
    'ResNet SegResNet SegResNetDS SegResNetVAE SENet SwinUNETR TorchVisionFCModel Transchex UNet Unet UNETR VarAutoEncoder ' +
    'VISTA3D ViT ViTAutoEnc VNet VoxelMorph')
    .split(' ')
    .map((n) => n.toLowerCase()),
);

export function unknownTargetError(target: string, registered: Iterable<string>, location: ErrorLocation): BundleError {
  const last = target.split('.').pop() ?? target;
  const network = target.startsWith('monai.networks.') || MONAI_NETWORKS.has(last.toLowerCase());
  return new BundleError('unknown_target', `"${target}" is not a registered component.`, {
    location,
    candidates: network ? [] : closestNames(last, registered),
    ...(network
      ? {
          hint:
            `networks run here as ONNX files: export ${last} to ONNX (torch.onnx.export; \`bundle convert-tfjs\` converts TF.js models) ` +
            'and write {"_target_": "OnnxNetwork", "path": "models/model.onnx"}',
        }
      : {}),
  });
}
