import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { portRange, ruleBody, ruleText, subnetBody } from './network-forms.js';

describe('network page forms', () => {
  test('a subnet body takes its IP version from the CIDR; the gateway is default, an address or none', () => {
    assert.deepEqual(subnetBody({ networkId: 'n', name: 'sub', cidr: ' 10.0.0.0/24 ', gateway: '', enableDhcp: true }), {
      subnet: { network_id: 'n', cidr: '10.0.0.0/24', ip_version: 4, enable_dhcp: true, name: 'sub' },
    });
    assert.deepEqual(subnetBody({ networkId: 'n', name: '', cidr: 'fd00::/64', gateway: 'none', enableDhcp: false }), {
      subnet: { network_id: 'n', cidr: 'fd00::/64', ip_version: 6, enable_dhcp: false, gateway_ip: null },
    });
    assert.equal(subnetBody({ networkId: 'n', name: '', cidr: '10.0.0.0/24', gateway: '10.0.0.254', enableDhcp: true }).subnet['gateway_ip'], '10.0.0.254');
  });

  test('ports are one port, a range, or nothing; anything else is refused with a reason', () => {
    assert.equal(portRange(''), undefined);
    assert.deepEqual(portRange('22'), { min: 22, max: 22 });
    assert.deepEqual(portRange('8000 - 8080'), { min: 8000, max: 8080 });
    assert.equal(portRange('80-22'), '80-22 is not a port or a range of ports (1-65535).');
    assert.equal(portRange('70000'), '70000 is not a port or a range of ports (1-65535).');
    assert.equal(portRange('ssh'), 'ssh is not a port or a range of ports (1-65535).');
  });

  test('a rule body carries only what was chosen; ports need TCP or UDP', () => {
    assert.deepEqual(ruleBody({ securityGroupId: 'sg', direction: 'ingress', protocol: 'tcp', ports: '22', remote: '0.0.0.0/0' }), {
      security_group_rule: { security_group_id: 'sg', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' },
    });
    assert.deepEqual(ruleBody({ securityGroupId: 'sg', direction: 'egress', protocol: 'any', ports: '', remote: '::/0' }), {
      security_group_rule: { security_group_id: 'sg', direction: 'egress', ethertype: 'IPv6', remote_ip_prefix: '::/0' },
    });
    assert.equal(ruleBody({ securityGroupId: 'sg', direction: 'ingress', protocol: 'icmp', ports: '22', remote: '' }), 'Ports apply to TCP and UDP rules only.');
  });

  test('a rule reads as one line', () => {
    const base = { ethertype: 'IPv4', remote_group_id: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null };
    assert.equal(ruleText({ ...base, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' }), 'ingress tcp 22 from 0.0.0.0/0');
    assert.equal(ruleText({ ...base, direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 60 }), 'ingress udp 53-60 from any IPv4');
    assert.equal(ruleText({ ...base, direction: 'egress', protocol: null }), 'egress any to any IPv4');
    assert.equal(ruleText({ ...base, direction: 'ingress', protocol: null, remote_group_id: 'sg' }), 'ingress any from the group');
  });
});
