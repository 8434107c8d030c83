import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCidr, parseCidr, type Cidr } from './ip-address.js';
import { PrefixSet } from './prefix-set.js';

function cidrs(...texts: string[]): Cidr[] {
  return texts.map((text) => {
    const cidr = parseCidr(text);
    assert.ok(cidr, text);
    return cidr;
  });
}

const texts = (set: PrefixSet) => set.cidrs().map(formatCidr);

describe('PrefixSet', () => {
  it('merges overlapping and adjacent prefixes into the fewest cidrs', () => {
    assert.deepEqual(texts(PrefixSet.of(4, cidrs('10.0.0.0/25', '10.0.0.128/25', '10.0.0.64/26', '10.0.2.0/24'))), ['10.0.0.0/24', '10.0.2.0/24']);
    assert.deepEqual(texts(PrefixSet.of(6, cidrs('2001:db8::/65', '2001:db8:0:0:8000::/65'))), ['2001:db8::/64']);
  });

  it('takes allocated subnets out, leaving aligned blocks', () => {
    const pool = PrefixSet.of(4, cidrs('10.10.0.0/16'));
    const left = pool.minus(PrefixSet.of(4, cidrs('10.10.0.0/24', '10.10.2.0/24')));
    assert.deepEqual(texts(left).slice(0, 3), ['10.10.1.0/24', '10.10.3.0/24', '10.10.4.0/22']);
    assert.equal(left.covers(cidrs('10.10.1.0/24')[0] as Cidr), true);
    assert.equal(left.covers(cidrs('10.10.2.0/25')[0] as Cidr), false);
    assert.equal(left.covers(cidrs('10.10.0.0/23')[0] as Cidr), false);
  });

  it('tells whether one set includes another', () => {
    const pool = PrefixSet.of(4, cidrs('10.0.0.0/16'));
    assert.equal(PrefixSet.of(4, cidrs('10.0.0.0/8')).includes(pool), true);
    assert.equal(PrefixSet.of(4, cidrs('10.0.0.0/17')).includes(pool), false);
  });

  it('is empty when everything is taken', () => {
    const pool = PrefixSet.of(4, cidrs('192.168.0.0/24'));
    assert.deepEqual(pool.minus(pool).cidrs(), []);
  });
});
