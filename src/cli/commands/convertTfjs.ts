import type { CommandModule } from 'yargs';
import { BundleError, printable } from '../../errors/index.js';

interface ConvertTfjsArgs {
  model: string;
  out: string;
  argmax?: boolean;
  opset?: string;
  reverse_spatial_axes?: boolean;
  compute_in_file_order?: boolean;
}

/** `bundle convert-tfjs <model.json> <out.onnx>`: TF.js layers model -> ONNX, written atomically. */
export const convertTfjsCommand: CommandModule<object, ConvertTfjsArgs> = {
  command: 'convert-tfjs <model> <out>',
  describe: 'Convert a TensorFlow.js layers model (model.json + weight shards) to an ONNX file',
  builder: (yargs) =>
    yargs
      .positional('model', { type: 'string', demandOption: true, describe: 'the TF.js model.json; its weight shards sit beside it' })
      .positional('out', { type: 'string', demandOption: true, describe: 'the ONNX file to write' })
      .option('argmax', { type: 'boolean', default: false, describe: 'end the graph with ArgMax over the channels (int64 labels instead of logits)' })
      .option('opset', { type: 'string', default: '17', describe: 'ONNX opset version, 13 to 21 (GELU is one node from 20)' })
      .option('reverse_spatial_axes', {
        type: 'boolean',
        default: false,
        describe: 'flip every kernel\'s spatial axes, for input in NIfTI file order [1,C,nz,ny,nx] instead of the interpreter\'s [1,C,X,Y,Z]',
      })
      .option('compute_in_file_order', {
        type: 'boolean',
        default: false,
        describe: 'take [1,C,X,Y,Z] as by default, but transpose to file order around reversed kernels inside: logits bit-identical to exports that compute in file order (niivue-onnx)',
      })
      .example('$0 convert-tfjs models/tfjs/model5_gw_ae/model.json models/model5_gw_ae.onnx', 'logits [N,3,X,Y,Z] for a [N,1,X,Y,Z] volume'),
  handler: async (args) => {
    const opset = Number(args.opset);
    if (!/^\d+$/.test(String(args.opset))) {
      throw new BundleError('usage', `--opset must be a whole number, not "${args.opset}".`, { hint: 'for example --opset 17' });
    }
    const { convertTfjsFile } = await import('../../inference/convert/toOnnx.js');
    const summary = await convertTfjsFile(args.model, args.out, {
      argmax: args.argmax ?? false,
      opset,
      reverseSpatialAxes: args.reverse_spatial_axes ?? false,
      computeInFileOrder: args.compute_in_file_order ?? false,
    });
    const output = args.argmax ? `${summary.outputName} int64 labels [N,1,...]` : `${summary.outputName} float32 logits [N,${summary.outChannels},...]`;
    process.stdout.write(
      `wrote ${printable(args.out)}: ${summary.layers} layers, ${summary.parameters} parameters; input ${summary.inputName} [N,${summary.inChannels},...] -> ${output}\n`,
    );
  },
};
