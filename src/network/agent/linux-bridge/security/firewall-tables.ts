/**
 * The two nftables tables the security groups live in, both named by the data path's option
 * (tests use a table of their own), both in the host's namespace where the bridges are.
 *
 * Why two families. Security groups must be stateful, and this kernel (like many) has no
 * conntrack for the bridge family (`ct` there fails with "Protocol error": no
 * nf_conntrack_bridge). br_netfilter does give bridged IPv4/IPv6 to the inet hooks with conntrack
 * — Neutron's Linux bridge agent relies on it too — but there a packet's in/out interface is the
 * bridge, not the port. So:
 * - `bridge <table>` sees ports: `prerouting` runs each guest port's anti-spoofing chain (MAC,
 *   ARP, IPv4, IPv6 sources; stateless, so it also covers ARP, which never reaches inet), and
 *   `forward` writes into the packet's mark which port it came from (bits 0–15) and goes to
 *   (bits 16–31), before br_netfilter hands it to inet. (`meta ibrname`, which could tell our
 *   bridges' packets apart, is not supported here; packets from the DHCP and router ends carry
 *   mark 0 since crossing a namespace clears it.)
 * - `inet <table>` is stateful: `raw_prerouting` puts each bridge's traffic in a conntrack zone
 *   of its own (overlapping tenant addresses never share connections), and `forward` sends the
 *   packet through the egress chain of the port it came from and the ingress chain of the port
 *   it goes to. It also holds the safety rule: nothing is routed from Nimbus's bridges to any
 *   other interface (nor from another interface into them) unless an uplink is configured.
 */
export const MARK_FROM = '0x0000ffff';
export const MARK_TO = '0xffff0000';

export function createTables(table: string, uplink: string | undefined): string[] {
  const toUplink = uplink === undefined ? '' : `oifname != "${uplink}" `;
  return [
    `add table bridge ${table}`,
    `add set bridge ${table} bridges { type ifname; }`,
    ...['spoof_ports', 'from_ports', 'to_ports'].map((map) => `add map bridge ${table} ${map} { type ifname : verdict; }`),
    `add chain bridge ${table} prerouting { type filter hook prerouting priority -300; policy accept; }`,
    `add chain bridge ${table} forward { type filter hook forward priority -300; policy accept; }`,
    `flush chain bridge ${table} prerouting`,
    `add rule bridge ${table} prerouting iifname vmap @spoof_ports`,
    `flush chain bridge ${table} forward`,
    // A VXLAN network's DHCP port is on every host holding the network, with one MAC and address:
    // each host's copy serves its own guests, so its frames and guests' DHCP requests stay off the tunnels.
    `add set bridge ${table} tunnels { type ifname; }`,
    `add set bridge ${table} host_local_macs { type ether_addr; }`,
    `add rule bridge ${table} forward oifname @tunnels ether saddr @host_local_macs drop`,
    `add rule bridge ${table} forward iifname @tunnels ether saddr @host_local_macs drop`,
    `add rule bridge ${table} forward oifname @tunnels meta l4proto udp th dport { 67, 547 } drop`,
    `add rule bridge ${table} forward iifname vmap @from_ports`,
    `add rule bridge ${table} forward oifname vmap @to_ports`,

    `add table inet ${table}`,
    `add set inet ${table} bridges { type ifname; }`,
    `add map inet ${table} zones { typeof iifname : ct zone; }`,
    ...['egress_ports', 'ingress_ports'].map((map) => `add map inet ${table} ${map} { type mark : verdict; }`),
    `add chain inet ${table} raw_prerouting { type filter hook prerouting priority raw; policy accept; }`,
    `add chain inet ${table} forward { type filter hook forward priority filter; policy accept; }`,
    `flush chain inet ${table} raw_prerouting`,
    `add rule inet ${table} raw_prerouting ct zone set iifname map @zones`,
    `flush chain inet ${table} forward`,
    `add rule inet ${table} forward iifname @bridges oifname != @bridges ${toUplink}drop`,
    `add rule inet ${table} forward oifname @bridges iifname != @bridges ${uplink === undefined ? '' : `iifname != "${uplink}" `}drop`,
    // Marks are this table's port numbers: another data path on the host (a second cloud, a test)
    // numbers its ports from 1 too, so only packets on this table's bridges are looked up.
    `add rule inet ${table} forward iifname @bridges meta mark and ${MARK_FROM} vmap @egress_ports`,
    `add rule inet ${table} forward oifname @bridges meta mark and ${MARK_TO} vmap @ingress_ports`,
  ];
}

export function addBridge(table: string, bridge: string, zone: number): string[] {
  return [
    `add element bridge ${table} bridges { "${bridge}" }`,
    `add element inet ${table} bridges { "${bridge}" }`,
    `add element inet ${table} zones { "${bridge}" : ${zone} }`,
  ];
}

export function removeBridge(table: string, bridge: string): string[] {
  return [
    `delete element bridge ${table} bridges { "${bridge}" }`,
    `delete element inet ${table} bridges { "${bridge}" }`,
    `delete element inet ${table} zones { "${bridge}" }`,
  ];
}

/** The tunnel device of a bridge, and the MAC on that bridge that must not cross it (the network's DHCP port), or null. */
export function addTunnel(table: string, device: string, hostLocalMac: string | null): string[] {
  return [`add element bridge ${table} tunnels { "${device}" }`, ...(hostLocalMac === null ? [] : [`add element bridge ${table} host_local_macs { ${hostLocalMac} }`])];
}

export function removeTunnel(table: string, device: string, hostLocalMac: string | null): string[] {
  return [`delete element bridge ${table} tunnels { "${device}" }`, ...(hostLocalMac === null ? [] : [`delete element bridge ${table} host_local_macs { ${hostLocalMac} }`])];
}

export function deleteTables(table: string): string[] {
  return [`delete table bridge ${table}`, `delete table inet ${table}`];
}
