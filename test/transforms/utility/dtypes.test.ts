import { expect } from 'chai';
import { castData, parseDType } from '../../../src/transforms/utility/dtypes.js';
import { thrown } from '../volumes.js';

describe('parseDType', () => {
  it('accepts plain, torch. and np. spellings of a dtype', () => {
    expect(parseDType('float32', 'dtype', 'T')).to.equal('float32');
    expect(parseDType('torch.float32', 'dtype', 'T')).to.equal('float32');
    expect(parseDType('np.uint8', 'dtype', 'T')).to.equal('uint8');
    expect(parseDType('$torch.int16', 'dtype', 'T')).to.equal('int16');
  });

  it('maps torch aliases (float, int, bool) to their storage type', () => {
    expect(parseDType('torch.float', 'dtype', 'T')).to.equal('float32');
    expect(parseDType('torch.int', 'dtype', 'T')).to.equal('int32');
    expect(parseDType('bool', 'dtype', 'T')).to.equal('uint8');
    expect(parseDType('torch.double', 'dtype', 'T')).to.equal('float64');
  });

  it('rejects an unknown dtype with invalid_arguments, the argument path and close spellings', () => {
    const e = thrown(() => parseDType('flaot32', 'output_dtype', 'SaveImaged', 'postprocessing::transforms::3'));
    expect(e.kind).to.equal('invalid_arguments');
    expect(e.message).to.contain('flaot32').and.contain('output_dtype');
    expect(e.location).to.include({ id: 'postprocessing::transforms::3', path: '/output_dtype' });
    expect(e.candidates).to.include('float32');
  });
});

describe('castData', () => {
  it('truncates floats toward zero and wraps out-of-range values when casting to integers', () => {
    expect(Array.from(castData(Float32Array.from([1.9, -1.9, 255.5, 256, -1, NaN]), 'uint8'))).to.deep.equal([1, 255, 255, 0, 255, 0]);
    expect(Array.from(castData(Float32Array.from([1.9, -1.9, 32768]), 'int16'))).to.deep.equal([1, -1, -32768]);
  });

  it('rounds float64 to the nearest float32', () => {
    expect(castData(Float64Array.from([0.1]), 'float32')[0]).to.equal(Math.fround(0.1));
  });

  it('returns the same array when the dtype already matches', () => {
    const a = Int16Array.from([1, 2]);
    expect(castData(a, 'int16')).to.equal(a);
  });
});
