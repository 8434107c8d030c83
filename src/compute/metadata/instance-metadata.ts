/**
 * An instance's metadata as Nova's InstanceMetadata renders it (nova/api/metadata/base.py): the
 * OpenStack tree (`openstack/<version>/meta_data.json`, user data, vendor and network data) and
 * the EC2 tree (`<version>/meta-data/…`, `<version>/user-data`). The config drive writes the
 * files of the OpenStack tree; the metadata service answers any path of either by `lookup`.
 * Pure functions of the instance, so both say the same thing.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { InstanceSpec } from '../virt/instance-spec.js';

/** EC2's metadata versions, oldest first (Nova's VERSIONS). */
export const EC2_VERSIONS = ['1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10', '2007-12-15', '2008-02-01', '2008-09-01', '2009-04-04'] as const;

const FOLSOM = '2012-08-10';
const GRIZZLY = '2013-04-04';
const HAVANA = '2013-10-17';
const LIBERTY = '2015-10-15';
const NEWTON_ONE = '2016-06-30';
const NEWTON_TWO = '2016-10-06';
const VICTORIA = '2020-10-14';

/** OpenStack's metadata versions, oldest first (Nova Zed's OPENSTACK_VERSIONS). */
export const OPENSTACK_VERSIONS = [FOLSOM, GRIZZLY, HAVANA, LIBERTY, NEWTON_ONE, NEWTON_TWO, '2017-02-22', '2018-08-27', VICTORIA] as const;

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** What the metadata service knows beside the instance: the row's EC2 identity and the guest's address. */
export interface Ec2Context {
  readonly reservationId: string;
  /** The address the request came from (X-Forwarded-For), Nova's fallback for local-ipv4. */
  readonly address: string | null;
}

/** A node of the tree: a file's text or bytes, JSON, or a listing (a directory). */
export type MetadataItem =
  | { readonly kind: 'text'; readonly body: string | Buffer }
  | { readonly kind: 'json'; readonly body: string }
  | { readonly kind: 'listing'; readonly entries: readonly string[] };

const isAtLeast = (versions: readonly string[], required: string, requested: string): boolean => versions.indexOf(requested) >= versions.indexOf(required);
/** `latest` is the newest version. */
const osAtLeast = (required: string, requested: string): boolean => isAtLeast(OPENSTACK_VERSIONS, required, requested === 'latest' ? VICTORIA : requested);

/** meta_data.json of an OpenStack version (`latest` is the newest): the keys in Nova's order. */
export function metaDataJson(instance: InstanceSpec, version: string): Record<string, Json> {
  const data: Record<string, Json> = { uuid: instance.uuid };
  if (Object.keys(instance.metadata).length > 0) data['meta'] = instance.metadata;
  if (instance.keyName !== null && instance.keyData !== null) {
    data['public_keys'] = { [instance.keyName]: instance.keyData };
    data['keys'] = [{ name: instance.keyName, type: keyType(instance.keyData), data: instance.keyData }];
  }
  data['hostname'] = instance.hostname;
  data['name'] = instance.displayName;
  data['launch_index'] = instance.launchIndex;
  data['availability_zone'] = instance.availabilityZone;
  if (osAtLeast(GRIZZLY, version)) data['random_seed'] = randomBytes(512).toString('base64');
  if (osAtLeast(LIBERTY, version)) data['project_id'] = instance.projectId;
  if (osAtLeast(NEWTON_ONE, version)) data['devices'] = [];
  if (osAtLeast(VICTORIA, version)) data['dedicated_cpus'] = [];
  return data;
}

/** A key pair's type is not on the instance; its public key tells: x509 ones are PEM certificates. */
function keyType(publicKey: string): 'ssh' | 'x509' {
  return publicKey.includes('-----BEGIN CERTIFICATE-----') ? 'x509' : 'ssh';
}

/** network_data.json: the guest's links, networks and services (none while no NICs are described). */
export function networkDataJson(): Record<string, Json> {
  return { links: [], networks: [], services: [] };
}

/** The files of `openstack/<version>/`, by name, as Nova's `_handle_version` lists them. */
export function openstackVersionFiles(instance: InstanceSpec, version: string): Map<string, MetadataItem> {
  const files = new Map<string, MetadataItem>();
  files.set('meta_data.json', { kind: 'json', body: JSON.stringify(metaDataJson(instance, version)) });
  if (instance.userData !== null) files.set('user_data', { kind: 'text', body: Buffer.from(instance.userData, 'base64') });
  // No password has been posted: Nova answers the empty string.
  if (osAtLeast(GRIZZLY, version)) files.set('password', { kind: 'text', body: '' });
  if (osAtLeast(HAVANA, version)) files.set('vendor_data.json', { kind: 'json', body: '{}' });
  if (osAtLeast(LIBERTY, version)) files.set('network_data.json', { kind: 'json', body: JSON.stringify(networkDataJson()) });
  if (osAtLeast(NEWTON_TWO, version)) files.set('vendor_data2.json', { kind: 'json', body: '{}' });
  return files;
}

/** The EC2 tree of a version, as Nova's get_ec2_metadata builds it (`latest` is 2009-04-04). */
export function ec2Tree(instance: InstanceSpec, ec2: Ec2Context, version: string): Tree {
  const hostname = instance.hostname;
  const fixedIp = instance.network.flatMap((vif) => vif.fixedIps).find((ip) => ip.version === 4)?.address ?? ec2.address ?? '';
  const metaData: Record<string, Tree> = {
    'ami-id': ec2Id('ami', instance.image.id),
    'ami-launch-index': String(instance.launchIndex),
    'ami-manifest-path': 'FIXME',
    'instance-id': ec2Id('i', instance.uuid),
    hostname,
    'local-ipv4': fixedIp,
    'reservation-id': ec2.reservationId,
  };
  // public-keys/ lists `0=<name>`, public-keys/0/ lists `openssh-key`.
  if (instance.keyName !== null && instance.keyData !== null) {
    metaData['public-keys'] = { '0': { [NAME]: `0=${instance.keyName}`, 'openssh-key': instance.keyData } };
  }
  const at = (required: string) => isAtLeast(EC2_VERSIONS, required, version);
  if (at('2007-01-19')) Object.assign(metaData, { 'local-hostname': hostname, 'public-hostname': hostname, 'public-ipv4': '' });
  if (at('2007-08-29')) metaData['instance-type'] = instance.flavor.name;
  if (at('2007-12-15')) metaData['block-device-mapping'] = { ami: shortDevice(instance.blockDevices.rootDeviceName), root: instance.blockDevices.rootDeviceName };
  if (at('2008-02-01')) metaData['placement'] = { 'availability-zone': instance.availabilityZone };
  if (at('2008-09-01')) metaData['instance-action'] = 'none';
  const tree: Record<string, Tree> = { 'meta-data': metaData };
  if (instance.userData !== null) tree['user-data'] = Buffer.from(instance.userData, 'base64');
  return tree;
}

/** Nova's EC2 ids are `<kind>-%08x` of an internal integer id; here the uuid's first 8 hex digits, as the instance name uses. */
function ec2Id(kind: string, uuid: string): string {
  return `${kind}-${uuid.replaceAll('-', '').slice(0, 8)}`;
}

function shortDevice(device: string): string {
  return device.replace(/^\/dev\//, '');
}

/** A directory's display name instead of `<key>/` (EC2's `0=<key name>`). */
const NAME = '_name';
type Tree = string | Buffer | { readonly [key: string]: Tree };

/** Nova's ec2_md_print for a directory: sorted keys, sub-directories with a slash (or their `_name`). */
function listTree(tree: { readonly [key: string]: Tree }): string[] {
  return Object.keys(tree)
    .filter((key) => key !== NAME)
    .sort()
    .map((key) => {
      const value = tree[key]!;
      if (typeof value === 'string' || Buffer.isBuffer(value)) return key;
      const name = value[NAME];
      return typeof name === 'string' ? name : `${key}/`;
    });
}

function treeItem(tree: Tree): MetadataItem {
  if (typeof tree === 'string' || Buffer.isBuffer(tree)) return { kind: 'text', body: tree };
  return { kind: 'listing', entries: listTree(tree) };
}

/**
 * The item at a request path, or undefined (Nova's InvalidMetadataPath: 404). `/` lists the EC2
 * versions, `/openstack` the OpenStack ones; a path outside `/openstack` is in the EC2 tree.
 */
export function lookupMetadata(instance: InstanceSpec, ec2: Ec2Context, path: string): MetadataItem | undefined {
  const tokens = posix.normalize(`/${path}`).split('/').filter((token) => token !== '');
  if (tokens[0] === 'openstack') {
    if (tokens.length === 1) return { kind: 'listing', entries: [...OPENSTACK_VERSIONS, 'latest'] };
    const version = tokens[1]!;
    if (version !== 'latest' && !(OPENSTACK_VERSIONS as readonly string[]).includes(version)) return undefined;
    const files = openstackVersionFiles(instance, version);
    if (tokens.length === 2) return { kind: 'listing', entries: [...files.keys()] };
    return tokens.length === 3 ? files.get(tokens[2]!) : undefined;
  }
  const ec2Tokens = tokens[0] === 'ec2' ? tokens.slice(1) : tokens;
  if (ec2Tokens.length === 0) return { kind: 'listing', entries: [...EC2_VERSIONS, 'latest'] };
  const version = ec2Tokens[0] === 'latest' ? '2009-04-04' : ec2Tokens[0]!;
  if (!(EC2_VERSIONS as readonly string[]).includes(version)) return undefined;
  let node: Tree = ec2Tree(instance, ec2, version);
  for (const token of ec2Tokens.slice(1)) {
    if (typeof node === 'string' || Buffer.isBuffer(node) || token === NAME || !Object.hasOwn(node, token)) return undefined;
    node = node[token]!;
  }
  return treeItem(node);
}
