import { expect } from 'chai';
import { BundleError } from '../../src/errors/index.js';
import type { Network, Tensor } from '../../src/inference/types.js';
import { fakeSpatialShape, netIoSpec, verifyNetInOut } from '../../src/engine/verifyNetInOut.js';

/** A network that returns `channels` channels of the input's spatial size, recording the input shape. */
function channelsNet(channels: number, type: 'float32' | 'int64' = 'float32'): Network & { seen?: number[] } {
  const net: Network & { seen?: number[] } = {
    name: 'fake', inputNames: ['x'], outputNames: ['y'],
    async run(feeds) {
      const x = feeds.x!;
      net.seen = x.dims;
      const dims = [1, channels, ...x.dims.slice(2)];
      const size = dims.reduce((a, b) => a * b, 1);
      const out: Tensor = type === 'float32' ? { type, dims, data: new Float32Array(size) } : { type, dims, data: new BigInt64Array(size) };
      return { y: out };
    },
  };
  return net;
}

const meta = (pred: Record<string, unknown> = {}) => ({
  network_data_format: {
    inputs: { image: { num_channels: 1, spatial_shape: ['16*n', 8, '*'], dtype: 'float32' } },
    outputs: { pred: { num_channels: 2, dtype: 'float32', ...pred } },
  },
});

describe('verifyNetInOut', () => {
  it('runs the network on the declared input shape and accepts matching channels and dtype', async () => {
    const net = channelsNet(2);
    const result = await verifyNetInOut(net, netIoSpec(meta()), { n: 2, any: 3 });
    expect(net.seen).to.deep.equal([1, 1, 32, 8, 3]);
    expect(result.outputShape).to.deep.equal([1, 2, 32, 8, 3]);
  });

  it('reports a channel mismatch', async () => {
    const error = await verifyNetInOut(channelsNet(3), netIoSpec(meta()), {}, 'network_def').then(() => undefined, (e: unknown) => e);
    expect((error as BundleError).kind).to.equal('shape_mismatch');
    expect((error as BundleError).message).to.contain('3 channels').and.contain('declares 2');
    expect((error as BundleError).location.id).to.equal('network_def');
  });

  it('reports a dtype mismatch, reading MONAI spellings such as torch.float32', async () => {
    const spec = netIoSpec(meta({ dtype: 'torch.float32' }));
    expect(spec.outputDtype).to.equal('float32');
    const error = await verifyNetInOut(channelsNet(2, 'int64'), spec).then(() => undefined, (e: unknown) => e);
    expect((error as BundleError).message).to.contain('int64').and.contain('float32');
  });

  it('refuses something that is not a network', async () => {
    const error = await verifyNetInOut({ run: 1 }, netIoSpec(meta()), {}, 'inferer').then(() => undefined, (e: unknown) => e);
    expect((error as BundleError).kind).to.equal('invalid_arguments');
  });

  it('says what the metadata lacks', () => {
    expect(() => netIoSpec({ network_data_format: { inputs: {} } })).to.throw(BundleError, /inputs\.image/);
  });
});

describe('fakeSpatialShape', () => {
  it('evaluates MONAI size expressions with n, p and *', () => {
    expect(fakeSpatialShape([64, '16*n', '2**p', '*', '(n+1)*8'], { n: 3, p: 5, any: 7 })).to.deep.equal([64, 48, 32, 7, 32]);
  });
  it('refuses a size that is not a positive whole number', () => {
    expect(() => fakeSpatialShape(['n/3'])).to.throw(BundleError, /spatial_shape\[0\]/);
    expect(() => fakeSpatialShape(['import os'])).to.throw(BundleError);
  });
});
