import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import { checkProject } from './route-deps.js';

interface Extension {
  readonly name: string;
  readonly alias: string;
  /** The descriptor's docstring, as Cinder shows it. */
  readonly description: string;
  readonly updated: string;
}

/**
 * The entries of cinder/api/contrib whose API Nimbus serves, in Cinder's words. Left out: those
 * not built (manage/unmanage, encryption metadata).
 */
const EXTENSIONS: readonly Extension[] = [
  { name: 'AdminActions', alias: 'os-admin-actions', description: 'Enable admin actions.', updated: '2012-08-25T00:00:00+00:00' },
  { name: 'AvailabilityZones', alias: 'os-availability-zone', description: 'Describe Availability Zones.', updated: '2013-06-27T00:00:00+00:00' },
  { name: 'Backups', alias: 'backups', description: 'Backups support.', updated: '2012-12-12T00:00:00+00:00' },
  { name: 'Capabilities', alias: 'capabilities', description: 'Capabilities support.', updated: '2015-08-31T00:00:00+00:00' },
  { name: 'ExtendedServices', alias: 'os-extended-services', description: 'Extended services support.', updated: '2014-01-10T00:00:00-00:00' },
  { name: 'ExtendedSnapshotAttributes', alias: 'os-extended-snapshot-attributes', description: 'Extended SnapshotAttributes support.', updated: '2012-06-19T00:00:00+00:00' },
  { name: 'Hosts', alias: 'os-hosts', description: 'Admin-only host administration.', updated: '2011-06-29T00:00:00+00:00' },
  { name: 'Qos_specs_manage', alias: 'qos-specs', description: 'QoS specs support.', updated: '2013-08-02T00:00:00+00:00' },
  { name: 'QuotaClasses', alias: 'os-quota-class-sets', description: 'Quota classes management support.', updated: '2012-03-12T00:00:00+00:00' },
  { name: 'Quotas', alias: 'os-quota-sets', description: 'Quota management support.', updated: '2011-08-08T00:00:00+00:00' },
  { name: 'Scheduler_stats', alias: 'scheduler-stats', description: 'Scheduler stats support.', updated: '2014-09-07T00:00:00+00:00' },
  { name: 'Services', alias: 'os-services', description: 'Services support.', updated: '2012-10-28T00:00:00-00:00' },
  { name: 'SnapshotActions', alias: 'os-snapshot-actions', description: 'Enable snapshot manager actions.', updated: '2013-07-16T00:00:00+00:00' },
  { name: 'TypesExtraSpecs', alias: 'os-types-extra-specs', description: 'Type extra specs support.', updated: '2011-08-24T00:00:00+00:00' },
  { name: 'TypesManage', alias: 'os-types-manage', description: 'Types manage support.', updated: '2011-08-24T00:00:00+00:00' },
  { name: 'UsedLimits', alias: 'os-used-limits', description: 'Provide data on limited resources that are being used.', updated: '2013-10-03T00:00:00+00:00' },
  { name: 'VolumeActions', alias: 'os-volume-actions', description: 'Enable volume actions.', updated: '2012-05-31T00:00:00+00:00' },
  { name: 'VolumeHostAttribute', alias: 'os-vol-host-attr', description: 'Expose host as an attribute of a volume.', updated: '2011-11-03T00:00:00+00:00' },
  { name: 'VolumeImageMetadata', alias: 'os-vol-image-meta', description: 'Show image metadata associated with the volume.', updated: '2012-12-07T00:00:00+00:00' },
  { name: 'VolumeMigStatusAttribute', alias: 'os-vol-mig-status-attr', description: 'Expose migration_status as an attribute of a volume.', updated: '2013-08-08T00:00:00+00:00' },
  { name: 'VolumeTenantAttribute', alias: 'os-vol-tenant-attr', description: 'Expose the internal project_id as an attribute of a volume.', updated: '2011-11-03T00:00:00+00:00' },
  { name: 'VolumeTransfer', alias: 'os-volume-transfer', description: 'Volume transfer management support.', updated: '2013-05-29T00:00:00+00:00' },
  { name: 'VolumeTypeAccess', alias: 'os-volume-type-access', description: 'Volume type access support.', updated: '2014-06-26T00:00:00+00:00' },
  { name: 'VolumeTypeEncryption', alias: 'encryption', description: 'Encryption support for volume types.', updated: '2013-07-01T00:00:00+00:00' },
];

const view = (extension: Extension) => ({ ...extension, links: [] });
const Project = Type.Object({ project_id: Type.String() });
const AliasParams = Type.Object({ project_id: Type.String(), alias: Type.String() });

/** /extensions (cinder/api/extensions.py's ExtensionsResource): any caller may list them or show one by alias. */
export function extensionRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v3/:project_id/extensions', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      return { extensions: EXTENSIONS.map(view) };
    });

    app.get('/v3/:project_id/extensions/:alias', { schema: { params: AliasParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      const extension = EXTENSIONS.find((each) => each.alias === request.params.alias);
      if (extension === undefined) throw new NotFound('The resource could not be found.');
      return { extension: view(extension) };
    });
  };
}
