"""Drives Tempest's own compute admin service clients against Nimbus, one microversion at a time.

Run by src/compute/admin/tempest-admin-schemas.test.ts under Debian's /usr/bin/python3. Every HTTP
request a client makes is written to stdout as one JSON line; the Node side answers it through
the compute routes and writes the response back as one JSON line on stdin. The clients then
check the answers against Tempest's strict per-microversion response schemas, exactly as a
Tempest run does. The last line is {"done": true, "failures": [...]}.

argv: the microversions to run, e.g. 2.1 2.11 2.53 2.79.
"""

import json
import sys
import traceback

from tempest.lib.common import api_version_request
from tempest.lib.services.compute import aggregates_client
from tempest.lib.services.compute import availability_zone_client
from tempest.lib.services.compute import base_compute_client
from tempest.lib.services.compute import hosts_client
from tempest.lib.services.compute import hypervisor_client
from tempest.lib.services.compute import limits_client
from tempest.lib.services.compute import quota_classes_client
from tempest.lib.services.compute import quotas_client
from tempest.lib.services.compute import server_groups_client
from tempest.lib.services.compute import services_client
from tempest.lib.services.compute import tenant_usages_client

BASE = 'http://cloud/compute/v2.1'
PROJECT = 'admin-project'


class Response(dict):
    """What tempest's ClosingHttp returns: lower-case headers, and the status."""

    def __init__(self, status, headers):
        super().__init__({k.lower(): v for k, v in headers.items()})
        self.status = status
        self['status'] = str(status)
        self.reason = ''


class BridgeHttp:
    """Sends each request to the Node side over stdio instead of a socket."""

    def request(self, url, method, headers=None, body=None, chunked=False):
        print(json.dumps({'method': method, 'url': url, 'headers': headers or {},
                          'body': body}), flush=True)
        answer = json.loads(sys.stdin.readline())
        return Response(answer['status'], answer['headers']), answer['body'].encode()


class Credentials:
    username = user_id = tenant_name = tenant_id = project_id = 'admin'
    password = None


class AuthProvider:
    credentials = Credentials()

    def auth_request(self, method, url, headers, body, filters):
        return '%s/%s' % (BASE, url), dict(headers, **{'X-Auth-Token': 'x'}), body

    def base_url(self, filters):
        return BASE

    def get_token(self):
        return 'x'


def client(cls):
    made = cls(AuthProvider(), 'compute', 'RegionOne')
    made.http_obj = BridgeHttp()
    return made


def at_least(version, other):
    return (api_version_request.APIVersionRequest(version) >=
            api_version_request.APIVersionRequest(other))


def services(version):
    c = client(services_client.ServicesClient)
    listed = c.list_services()['services']
    c.list_services(binary='nova-compute', host='compute-1')
    if at_least(version, '2.53'):
        uuid = [s for s in listed if s['host'] == 'compute-1'][0]['id']
        c.update_service(uuid, status='disabled', disabled_reason='tempest')
        c.update_service(uuid, status='enabled')
        c.update_service(uuid, forced_down=True)
        c.update_service(uuid, forced_down=False)
        return
    c.disable_service(host='compute-1', binary='nova-compute')
    c.disable_log_reason(host='compute-1', binary='nova-compute',
                         disabled_reason='tempest')
    c.enable_service(host='compute-1', binary='nova-compute')
    if at_least(version, '2.11'):
        c.update_forced_down(host='compute-1', binary='nova-compute',
                             forced_down=True)
        c.update_forced_down(host='compute-1', binary='nova-compute',
                             forced_down=False)


def hypervisors(version):
    c = client(hypervisor_client.HypervisorClient)
    listed = c.list_hypervisors()['hypervisors']
    c.list_hypervisors(detail=True)
    c.show_hypervisor(listed[0]['id'])
    c.show_hypervisor_statistics()
    if at_least(version, '2.33'):
        page = c.list_hypervisors(limit=1)
        assert 'hypervisors_links' in page, 'a full page has a next link'
        c.list_hypervisors(detail=True, limit=1, marker=listed[0]['id'])
    if at_least(version, '2.53'):
        c.list_hypervisors(with_servers=True)
        c.list_hypervisors(detail=True, with_servers=True,
                           hypervisor_hostname_pattern='compute')
    else:
        c.search_hypervisor('compute')
        c.list_servers_on_hypervisor('compute')


def hosts(version):
    if at_least(version, '2.43'):
        return
    c = client(hosts_client.HostsClient)
    listed = c.list_hosts()['hosts']
    c.list_hosts(zone='nova')
    c.show_host(next(h['host_name'] for h in listed if h['service'] == 'compute'))


def server_groups(version):
    c = client(server_groups_client.ServerGroupsClient)
    if at_least(version, '2.64'):
        kinds = [dict(policy='anti-affinity', rules={'max_server_per_host': 2}),
                 dict(policy='soft-affinity')]
    elif at_least(version, '2.15'):
        kinds = [dict(policies=['anti-affinity']),
                 dict(policies=['soft-anti-affinity'])]
    else:
        kinds = [dict(policies=['affinity'])]
    for index, kind in enumerate(kinds):
        group = c.create_server_group(name='g%d' % index, **kind)['server_group']
        c.show_server_group(group['id'])
        c.list_server_groups()
        c.delete_server_group(group['id'])


def aggregates(version):
    c = client(aggregates_client.AggregatesClient)
    created = c.create_aggregate(name='agg', availability_zone='az1')
    aggregate_id = created['aggregate']['id']
    c.show_aggregate(aggregate_id)
    c.list_aggregates()
    c.update_aggregate(aggregate_id, name='agg2')
    c.add_host(aggregate_id, host='compute-2')
    c.set_metadata(aggregate_id, metadata={'ssd': 'true'})
    c.remove_host(aggregate_id, host='compute-2')
    c.delete_aggregate(aggregate_id)


def zones(version):
    c = client(availability_zone_client.AvailabilityZoneClient)
    c.list_availability_zones()
    c.list_availability_zones(detail=True)


def limits(version):
    client(limits_client.LimitsClient).show_limits()


def quotas(version):
    c = client(quotas_client.QuotasClient)
    c.show_quota_set(PROJECT)
    c.show_quota_set(PROJECT, detail=True)
    c.show_default_quota_set(PROJECT)
    c.update_quota_set(PROJECT, instances=20, cores=40, force=True)
    c.update_quota_set(PROJECT, user_id='admin', instances=5)
    c.show_quota_set(PROJECT, user_id='admin')
    c.show_quota_set(PROJECT, user_id='admin', detail=True)
    c.delete_quota_set(PROJECT)


def quota_classes(version):
    c = client(quota_classes_client.QuotaClassesClient)
    c.show_quota_class_set('default')
    c.update_quota_class_set('default', instances=12, server_groups=9)
    c.update_quota_class_set('gold', cores=64)
    c.show_quota_class_set('gold')


def usage(version):
    c = client(tenant_usages_client.TenantUsagesClient)
    period = dict(start='2026-11-01T00:00:00', end='2026-11-30T00:00:00.5')
    c.list_tenant_usages(**period)
    c.list_tenant_usages(detailed=1, **period)
    c.show_tenant_usage('demo', **period)
    if at_least(version, '2.40'):
        c.list_tenant_usages(detailed=1, limit=1, **period)
        c.show_tenant_usage('demo', limit=1, **period)


SCENARIOS = [services, hypervisors, hosts, server_groups, aggregates, zones, limits,
             quotas, quota_classes, usage]


def main():
    failures = []
    for version in sys.argv[1:]:
        base_compute_client.COMPUTE_MICROVERSION = version
        for scenario in SCENARIOS:
            try:
                scenario(version)
            except Exception as error:  # every failure is reported, not only the first
                failures.append('%s at %s: %s: %s\n%s' % (
                    scenario.__name__, version, type(error).__name__, error,
                    traceback.format_exc(limit=-3)))
    print(json.dumps({'done': True, 'failures': failures}), flush=True)


if __name__ == '__main__':
    main()
