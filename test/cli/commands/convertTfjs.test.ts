import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import path from 'node:path';
import { convertTfjsCommand } from '../../../src/cli/commands/convertTfjs.js';
import { conv, writeTfjsModel } from '../../inference/convert/tfjsFixture.js';

const { onnx } = onnxProto;

type Args = Parameters<NonNullable<typeof convertTfjsCommand.handler>>[0];

async function runHandler(args: Partial<Args>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let printed = '';
  process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
  try {
    await convertTfjsCommand.handler!({ _: [], $0: 'bundle', argmax: false, opset: '17', reverse_spatial_axes: false, ...args } as Args);
  } finally {
    process.stdout.write = write;
  }
  return printed;
}

describe('bundle convert-tfjs', () => {
  const model = writeTfjsModel([conv('c1', 1, 2), conv('output', 2, 3, { k: 1 })]);
  after(() => rmSync(model.dir, { recursive: true, force: true }));

  it('writes the ONNX file and prints the input and output it has', async () => {
    const out = path.join(model.dir, 'net.onnx');
    const printed = await runHandler({ model: model.file, out });
    expect(existsSync(out)).to.equal(true);
    expect(printed).to.contain(`wrote ${out}`).and.contain('input [N,1,...]').and.contain('output float32 logits [N,3,...]');
  });

  it('with --argmax says the output is int64 labels', async () => {
    const printed = await runHandler({ model: model.file, out: path.join(model.dir, 'labels.onnx'), argmax: true });
    expect(printed).to.contain('int64 labels');
  });

  it('--compute_in_file_order reaches the converter (Transposes around the graph), and refuses --reverse_spatial_axes with it', async () => {
    const out = path.join(model.dir, 'file_order.onnx');
    await runHandler({ model: model.file, out, compute_in_file_order: true });
    const ops = onnx.ModelProto.decode(readFileSync(out)).graph!.node!.map((n) => n.opType);
    expect([ops[0], ops[ops.length - 1]]).to.deep.equal(['Transpose', 'Transpose']);
    const both = path.join(model.dir, 'both.onnx');
    const error = await runHandler({ model: model.file, out: both, compute_in_file_order: true, reverse_spatial_axes: true }).catch((e: unknown) => e);
    expect(error).to.have.property('kind', 'usage');
    expect(existsSync(both)).to.equal(false);
  });

  it('rejects an --opset that is not a number, or out of range, as a usage error', async () => {
    for (const opset of ['seventeen', '9']) {
      const error = await runHandler({ model: model.file, out: path.join(model.dir, 'x.onnx'), opset }).catch((e: unknown) => e);
      // The handler imports the converter lazily; under mocha + tsx that import is a second module instance,
      // so the error is recognised by name and kind rather than instanceof.
      expect(error, opset).to.have.property('name', 'BundleError');
      expect(error, opset).to.have.property('kind', 'usage');
    }
    expect(existsSync(path.join(model.dir, 'x.onnx'))).to.equal(false);
  });
});
