import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ruleFixture } from '../../testing/datapath-fixtures.js';
import { linkLocalFromMac } from './port-chains.js';
import { remoteGroupSet, ruleMatch } from './rule-expressions.js';

const GROUP = '5f0c4a52-1e8e-4c4b-9d0e-1b2f3a4b5c6d';

test('protocols, port ranges and ICMP type/code become nftables matches', () => {
  assert.equal(ruleMatch(ruleFixture('ingress', { protocol: 'tcp', port_range_min: 22, port_range_max: 22 })), 'meta nfproto ipv4 tcp dport 22');
  assert.equal(ruleMatch(ruleFixture('ingress', { protocol: 'udp', port_range_min: 1000, port_range_max: 2000 })), 'meta nfproto ipv4 udp dport 1000-2000');
  assert.equal(ruleMatch(ruleFixture('egress', { protocol: 'tcp' })), 'meta nfproto ipv4 meta l4proto tcp');
  assert.equal(ruleMatch(ruleFixture('ingress', { protocol: 'icmp', port_range_min: 8, port_range_max: 0 })), 'meta nfproto ipv4 icmp type 8 icmp code 0');
  assert.equal(ruleMatch(ruleFixture('ingress', { ethertype: 'IPv6', protocol: 'icmp' })), 'meta nfproto ipv6 meta l4proto ipv6-icmp');
  assert.equal(ruleMatch(ruleFixture('ingress', { protocol: '47' })), 'meta nfproto ipv4 meta l4proto 47');
  assert.equal(ruleMatch(ruleFixture('egress', { ethertype: 'IPv6' })), 'meta nfproto ipv6');
});

test('the remote end is the source of ingress and the destination of egress', () => {
  assert.equal(ruleMatch(ruleFixture('ingress', { remote_ip_prefix: '192.0.2.0/24' })), 'meta nfproto ipv4 ip saddr 192.0.2.0/24');
  assert.equal(ruleMatch(ruleFixture('egress', { remote_ip_prefix: '192.0.2.0/24' })), 'meta nfproto ipv4 ip daddr 192.0.2.0/24');
  assert.equal(ruleMatch(ruleFixture('ingress', { ethertype: 'IPv6', remote_group_id: GROUP })), `meta nfproto ipv6 ip6 saddr @${remoteGroupSet(GROUP, 6)}`);
});

test('a rule that can never match is left out rather than widened', () => {
  assert.equal(ruleMatch(ruleFixture('ingress', { remote_ip_prefix: '2001:db8::/64' })), undefined);
  assert.equal(ruleMatch(ruleFixture('ingress', { protocol: 'ipv6-icmp' })), undefined);
});

test('the link-local address a guest forms from its MAC', () => {
  assert.equal(linkLocalFromMac('fa:16:3e:00:00:01'), 'fe80::f816:3eff:fe00:1');
});
