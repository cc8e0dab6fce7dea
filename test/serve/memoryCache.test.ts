import { expect } from 'chai';
import { MemoryCache } from '../../src/serve/memoryCache.js';

describe('serve: MemoryCache', () => {
  const sized = () => new MemoryCache<Uint8Array>(100, (v) => v.byteLength);

  it('drops the least recently used entries to stay within its byte bound', () => {
    const cache = sized();
    cache.set('a', new Uint8Array(40));
    cache.set('b', new Uint8Array(40));
    expect(cache.get('a')).to.have.length(40); // a is now the most recent
    cache.set('c', new Uint8Array(40));
    expect(cache.get('b')).to.equal(undefined);
    expect(cache.get('a')).to.have.length(40);
    expect(cache.bytes).to.equal(80);
  });

  it('does not keep a value larger than the bound, and forgets on delete and clear', () => {
    const cache = sized();
    cache.set('a', new Uint8Array(10));
    cache.set('huge', new Uint8Array(101));
    expect(cache.get('huge')).to.equal(undefined);
    expect(cache.get('a')).to.have.length(10);
    cache.set('a', new Uint8Array(30));
    expect(cache.bytes).to.equal(30);
    cache.delete('a');
    expect([cache.size, cache.bytes]).to.deep.equal([0, 0]);
    cache.set('b', new Uint8Array(5));
    cache.clear();
    expect([cache.size, cache.bytes]).to.deep.equal([0, 0]);
  });
});
