/**
 * Flavor extra-spec validation (Nova's 2.86, nova/api/validation/extra_specs): a key of one of
 * Nova's registered namespaces must be a spec Nova knows, with a value of its type; keys of other
 * namespaces, or of none, are the operator's own and pass. The table is Zed's, with two
 * simplifications: any upper-case trait name is taken (Zed lists os-traits' 345 by name, and
 * CUSTOM_ ones), and vmware:'s two keys take any value, as Zed's do.
 */
import { BadRequest } from '../../common/errors/errors.js';
import { boolFromString, parseInteger } from './routes/nova-types.js';

type SpecValue =
  | { readonly type: 'str'; readonly enum?: readonly string[]; readonly pattern?: string }
  | { readonly type: 'int'; readonly min?: number; readonly max?: number }
  | { readonly type: 'bool' };

/** A resource group suffix (`resources1:`, `trait_gpu:`). */
const GROUP = String.raw`(?<group>([a-zA-Z0-9_-]{1,64})?)`;
/** os-resource-classes' standard classes (a custom one is CUSTOM_…). */
const RESOURCE_CLASSES = ['DISK_GB', 'FPGA', 'IPV4_ADDRESS', 'MEMORY_MB', 'MEM_ENCRYPTION_CONTEXT', 'NET_BW_EGR_KILOBIT_PER_SEC', 'NET_BW_IGR_KILOBIT_PER_SEC', 'NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC', 'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC', 'NET_PACKET_RATE_KILOPACKET_PER_SEC', 'NUMA_CORE', 'NUMA_MEMORY_MB', 'NUMA_SOCKET', 'NUMA_THREAD', 'PCI_DEVICE', 'PCPU', 'PGPU', 'SRIOV_NET_VF', 'VCPU', 'VGPU', 'VGPU_DISPLAY_HEAD'];
/** The host-state fields the ComputeCapabilitiesFilter reads; some take `:sub:keys`. */
const CAPABILITIES = ['aggregates', 'cell_uuid', 'cpu_allocation_ratio', 'current_workload', 'disk_allocation_ratio', 'disk_available_least', 'disk_mb_used', 'failed_builds', 'free_disk_gb', 'free_disk_mb', 'free_ram_mb', 'host', 'host_ip', 'hypervisor_hostname', 'hypervisor_type', 'hypervisor_version', 'id', 'local_gb', 'local_gb_used', 'mapped', 'memory_mb', 'memory_mb_used', 'num_instances', 'num_io_ops', 'ram_allocation_ratio', 'running_vms', 'service_id', 'total_usable_disk_gb', 'total_usable_ram_mb', 'updated', 'uuid', 'vcpus', 'vcpus_total', 'vcpus_used'];
const NESTED_CAPABILITIES = ['cpu_info', 'instances', 'limits', 'metrics', 'nodename', 'numa_topology', 'pci_device_pools', 'pci_stats', 'stats', 'supported_hv_specs', 'supported_instances'];
const REQUIRED_OR_FORBIDDEN: SpecValue = { type: 'str', enum: ['required', 'forbidden'] };

/** Name pattern (matched whole) → what its value must be. */
const SPECS: readonly (readonly [string, SpecValue])[] = [
  [String.raw`accel:device_profile`, { type: 'str' }],
  [String.raw`aggregate_instance_extra_specs:(?<key>.+)`, { type: 'str' }],
  [String.raw`group_policy`, { type: 'str', enum: ['isolate', 'none'] }],
  [String.raw`hide_hypervisor_id`, { type: 'bool' }],
  [String.raw`hw:boot_menu`, { type: 'bool' }],
  [String.raw`hw:cpu_cores`, { type: 'int', min: 1 }],
  [String.raw`hw:cpu_dedicated_mask`, { type: 'str', pattern: String.raw`\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*` }],
  [String.raw`hw:cpu_policy`, { type: 'str', enum: ['dedicated', 'shared', 'mixed'] }],
  [String.raw`hw:cpu_realtime`, { type: 'bool' }],
  [String.raw`hw:cpu_realtime_mask`, { type: 'str', pattern: String.raw`(\^)?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*` }],
  [String.raw`hw:cpu_sockets`, { type: 'int', min: 1 }],
  [String.raw`hw:cpu_thread_policy`, { type: 'str', enum: ['prefer', 'isolate', 'require'] }],
  [String.raw`hw:cpu_threads`, { type: 'int', min: 1 }],
  [String.raw`hw:emulator_threads_policy`, { type: 'str', enum: ['isolate', 'share'] }],
  [String.raw`hw:ephemeral_encryption`, { type: 'bool' }],
  [String.raw`hw:ephemeral_encryption_format`, { type: 'str', enum: ['plain', 'luks', 'luksv2'] }],
  [String.raw`hw:hide_hypervisor_id`, { type: 'bool' }],
  [String.raw`hw:locked_memory`, { type: 'bool' }],
  [String.raw`hw:max_cpu_cores`, { type: 'int', min: 1 }],
  [String.raw`hw:max_cpu_sockets`, { type: 'int', min: 1 }],
  [String.raw`hw:max_cpu_threads`, { type: 'int', min: 1 }],
  [String.raw`hw:mem_encryption`, { type: 'bool' }],
  [String.raw`hw:mem_page_size`, { type: 'str', pattern: String.raw`(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)` }],
  [String.raw`hw:numa_cpus.(?<num>\d+)`, { type: 'str', pattern: String.raw`\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*` }],
  [String.raw`hw:numa_mem.(?<num>\d+)`, { type: 'int', min: 1 }],
  [String.raw`hw:numa_nodes`, { type: 'int', min: 1 }],
  [String.raw`hw:pci_numa_affinity_policy`, { type: 'str', enum: ['required', 'preferred', 'legacy', 'socket'] }],
  [String.raw`hw:pmem`, { type: 'str', pattern: String.raw`([a-zA-Z0-9_]+(,)?)+` }],
  [String.raw`hw:pmu`, { type: 'bool' }],
  [String.raw`hw:serial_port_count`, { type: 'int', min: 0 }],
  [String.raw`hw:tpm_model`, { type: 'str', enum: ['tpm-tis', 'tpm-crb'] }],
  [String.raw`hw:tpm_version`, { type: 'str', enum: ['1.2', '2.0'] }],
  [String.raw`hw:vif_multiqueue_enabled`, { type: 'bool' }],
  [String.raw`hw:viommu_model`, { type: 'str', enum: ['intel', 'smmuv3', 'virtio', 'auto'] }],
  [String.raw`hw:watchdog_action`, { type: 'str', enum: ['none', 'pause', 'poweroff', 'reset', 'disabled'] }],
  [String.raw`hw_rng:allowed`, { type: 'bool' }],
  [String.raw`hw_rng:rate_bytes`, { type: 'int', min: 0 }],
  [String.raw`hw_rng:rate_period`, { type: 'int', min: 0 }],
  [String.raw`hw_video:ram_max_mb`, { type: 'int', min: 0 }],
  [String.raw`os:monitors`, { type: 'int', min: 1, max: 8 }],
  [String.raw`os:resolution`, { type: 'str', enum: ['1024x768', '1280x1024', '1600x1200', '1920x1200', '2560x1600', '3840x2160'] }],
  [String.raw`os:secure_boot`, { type: 'str', enum: ['disabled', 'required'] }],
  [String.raw`os:vram`, { type: 'str', enum: ['64', '128', '256', '512', '1024'] }],
  [String.raw`pci_passthrough:alias`, { type: 'str', pattern: String.raw`[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*` }],
  [String.raw`quota:cpu_limit`, { type: 'int', min: 0 }],
  [String.raw`quota:cpu_period`, { type: 'int', min: 0 }],
  [String.raw`quota:cpu_quota`, { type: 'int' }],
  [String.raw`quota:cpu_reservation`, { type: 'int' }],
  [String.raw`quota:cpu_shares`, { type: 'int', min: 0 }],
  [String.raw`quota:cpu_shares_level`, { type: 'str', enum: ['custom', 'high', 'normal', 'low'] }],
  [String.raw`quota:cpu_shares_share`, { type: 'int', min: 0 }],
  [String.raw`quota:disk_io_limit`, { type: 'int', min: 0 }],
  [String.raw`quota:disk_io_reservation`, { type: 'int' }],
  [String.raw`quota:disk_io_shares_level`, { type: 'str', enum: ['custom', 'high', 'normal', 'low'] }],
  [String.raw`quota:disk_io_shares_share`, { type: 'int', min: 0 }],
  [String.raw`quota:disk_read_bytes_sec`, { type: 'int', min: 0 }],
  [String.raw`quota:disk_read_iops_sec`, { type: 'int', min: 0 }],
  [String.raw`quota:disk_total_bytes_sec`, { type: 'int', min: 0 }],
  [String.raw`quota:disk_total_iops_sec`, { type: 'int', min: 0 }],
  [String.raw`quota:disk_write_bytes_sec`, { type: 'int', min: 0 }],
  [String.raw`quota:disk_write_iops_sec`, { type: 'int', min: 0 }],
  [String.raw`quota:memory_limit`, { type: 'int', min: 0 }],
  [String.raw`quota:memory_reservation`, { type: 'int' }],
  [String.raw`quota:memory_shares_level`, { type: 'str', enum: ['custom', 'high', 'normal', 'low'] }],
  [String.raw`quota:memory_shares_share`, { type: 'int', min: 0 }],
  [String.raw`quota:vif_inbound_average`, { type: 'int', min: 0 }],
  [String.raw`quota:vif_inbound_burst`, { type: 'int', min: 0 }],
  [String.raw`quota:vif_inbound_peak`, { type: 'int', min: 0 }],
  [String.raw`quota:vif_limit`, { type: 'int', min: 0 }],
  [String.raw`quota:vif_outbound_average`, { type: 'int', min: 0 }],
  [String.raw`quota:vif_outbound_burst`, { type: 'int', min: 0 }],
  [String.raw`quota:vif_outbound_peak`, { type: 'int', min: 0 }],
  [String.raw`quota:vif_reservation`, { type: 'int' }],
  [String.raw`quota:vif_shares_level`, { type: 'str', enum: ['custom', 'high', 'normal', 'low'] }],
  [String.raw`quota:vif_shares_share`, { type: 'int', min: 0 }],
  [String.raw`vmware:hw_version`, { type: 'str' }],
  [String.raw`vmware:storage_policy`, { type: 'str' }],
  [`resources${GROUP}:(${RESOURCE_CLASSES.join('|')})`, { type: 'int' }],
  [`resources${GROUP}:CUSTOM_(?<resource>[A-Z0-9_]+)`, { type: 'int' }],
  [`trait${GROUP}:[A-Z0-9_]+`, REQUIRED_OR_FORBIDDEN],
  [`capabilities:(${CAPABILITIES.join('|')})`, { type: 'str' }],
  [String.raw`capabilities:(${NESTED_CAPABILITIES.join('|')})(?<filter>(:\w+)*)`, { type: 'str' }],
];
const MATCHERS = SPECS.map(([name, value]) => ({ name: new RegExp(`^(?:${name})$`), value }));
/** The namespaces whose keys must be known (VALIDATORS' name prefixes). */
const NAMESPACES = [
  'accel', 'aggregate_instance_extra_specs', 'capabilities', 'hw', 'hw_rng', 'hw_video', 'os', 'pci_passthrough', 'quota', `resources${GROUP}`, `trait${GROUP}`, 'vmware',
].map((namespace) => new RegExp(`^(?:${namespace})$`));

function checkValue(value: string, spec: SpecValue): void {
  switch (spec.type) {
    case 'int': {
      const number = parseInteger(value);
      if (number === undefined) throw new BadRequest(`Validation failed; '${value}' is not a valid integer value.`);
      if (spec.max !== undefined && number > spec.max) throw new BadRequest(`Validation failed; '${value}' is greater than the max value of '${spec.max}'.`);
      if (spec.min !== undefined && number < spec.min) throw new BadRequest(`Validation failed; '${value}' is less than the min value of '${spec.min}'.`);
      return;
    }
    case 'bool':
      if (boolFromString(value) === undefined) throw new BadRequest(`Validation failed; '${value}' is not a valid boolean-like value.`);
      return;
    case 'str':
      if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`).test(value)) {
        throw new BadRequest(`Validation failed; '${value}' is not of the format '${spec.pattern}'.`);
      }
      if (spec.enum !== undefined && !spec.enum.includes(value)) throw new BadRequest(`Validation failed; '${value}' is not one of: ${spec.enum.join(', ')}.`);
  }
}

/** Nova's validators.validate: a known spec's value checked; an unknown key of a registered namespace refused (400). */
export function validateExtraSpec(name: string, value: string): void {
  const known = MATCHERS.find((matcher) => matcher.name.test(name));
  if (known !== undefined) {
    checkValue(value, known.value);
    return;
  }
  const separator = name.indexOf(':');
  if (separator < 0 || !NAMESPACES.some((namespace) => namespace.test(name.slice(0, separator)))) return;
  throw new BadRequest(`Validation failed; extra spec '${name}' does not appear to be a valid extra spec.`);
}
