import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultPools } from './allocation-pools.js';
import { cidrsOverlap, eui64Address, formatCidr, formatIp, macOfLinkLocal, normalizeIp, parseCidr, parseIp, unmapIpv4 } from './ip-address.js';

describe('ip addresses', () => {
  test('IPv6 prints compressed and lower-case, IPv4-in-IPv6 tails and bad text understood', () => {
    assert.equal(normalizeIp('2001:0DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(normalizeIp('::ffff:10.0.0.1'), '::ffff:a00:1');
    assert.equal(normalizeIp('fe80:0:0:1:0:0:0:1'), 'fe80:0:0:1::1');
    assert.equal(normalizeIp('10.0.0.300'), undefined);
    assert.equal(normalizeIp('fe80::1%eth0'), undefined);
  });

  test('a cidr with host bits is refused when strict; overlap and containment', () => {
    assert.equal(parseCidr('10.0.0.1/24', true), undefined);
    assert.equal(formatCidr(parseCidr('10.0.0.1/24') ?? assert.fail()), '10.0.0.0/24');
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    const a = parseCidr('10.0.0.0/16') ?? assert.fail();
    assert.ok(cidrsOverlap(a, parseCidr('10.0.5.0/24') ?? assert.fail()));
    assert.ok(!cidrsOverlap(a, parseCidr('10.1.0.0/24') ?? assert.fail()));
  });

  test("default pools leave out the network, IPv4's broadcast and the gateway", () => {
    const v4 = parseCidr('10.0.0.0/24') ?? assert.fail();
    assert.deepEqual(defaultPools(v4, parseIp('10.0.0.1')?.value), [{ start: '10.0.0.2', end: '10.0.0.254' }]);
    assert.deepEqual(defaultPools(v4, parseIp('10.0.0.100')?.value), [
      { start: '10.0.0.1', end: '10.0.0.99' },
      { start: '10.0.0.101', end: '10.0.0.254' },
    ]);
    const v6 = parseCidr('fd00::/64') ?? assert.fail();
    assert.deepEqual(defaultPools(v6, parseIp('fd00::1')?.value), [{ start: 'fd00::2', end: 'fd00::ffff:ffff:ffff:ffff' }]);
  });

  test('SLAAC addresses come from the MAC (modified EUI-64)', () => {
    const v6 = parseCidr('2001:db8::/64') ?? assert.fail();
    assert.equal(normalizeIp(formatCidr({ ...v6, network: eui64Address(v6, 'fa:16:3e:12:34:56').value, prefixLength: 128 }).split('/')[0] ?? ''), '2001:db8::f816:3eff:fe12:3456');
  });

  test("a link-local address gives back the MAC it was formed from; other addresses none; an IPv4-mapped address is IPv4", () => {
    assert.equal(macOfLinkLocal(parseIp('fe80::f816:3eff:fe12:3456') ?? assert.fail()), 'fa:16:3e:12:34:56');
    assert.equal(macOfLinkLocal(parseIp('2001:db8::f816:3eff:fe12:3456') ?? assert.fail()), undefined, 'not link-local');
    assert.equal(macOfLinkLocal(parseIp('fe80::1') ?? assert.fail()), undefined, 'not formed from a MAC');
    assert.equal(macOfLinkLocal(parseIp('10.0.0.5') ?? assert.fail()), undefined);
    assert.equal(formatIp(unmapIpv4(parseIp('::ffff:10.0.0.5') ?? assert.fail())), '10.0.0.5');
    assert.equal(formatIp(unmapIpv4(parseIp('fd00::5') ?? assert.fail())), 'fd00::5');
  });
});
