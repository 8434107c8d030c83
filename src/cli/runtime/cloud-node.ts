import { createNetworkPlugin, type CorePlugin } from '../../network/plugin/network-plugin.js';
import { startNetworkServer, type NetworkServer } from '../../network/server/network-server.js';
import type { NovaAuth } from '../../network/server/nova-notifier.js';
import { startNetworkAgent } from './network-agent-node.js';
import type { Transport } from '../../common/bus/transport.js';
import { publicUrl } from '../../common/config/load.js';
import type { NimbusConfig } from '../../common/config/options.js';
import type { Database } from '../../common/db/database.js';
import { openDatabase } from '../presets/databases.js';
import { migrateToLatest, migrationStatus } from '../../common/db/migrator.js';
import { messageOf, StartupError } from '../../common/errors/errors.js';
import { buildHttpApp } from '../../common/http/app.js';
import { serveInProcess } from '../../common/http/in-process-calls.js';
import { getLogger } from '../../common/logging/logger.js';
import { createPolicyEnforcer } from '../../common/policy/enforcer.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import { startComputeWorkers, type ComputeWorkers } from '../../compute/workers.js';
import { startIdentityCore, type IdentityCore } from '../../identity/identity-core.js';
import type { ServiceCredentials } from '../../identity/client/service-user-session.js';
import { createImageService } from '../../image/image-core.js';
import type { ImageService } from '../../image/images/image-service.js';
import { createApiServices, POLICY_DEFAULTS, type ApiServiceName } from '../presets/api-services.js';
import { computeDriverFactory, computeDriverOf, type DriverName } from '../presets/drivers.js';
import { imageBackendsOf, imageStagingOf } from '../presets/image-stores.js';
import { MIGRATION_SETS } from '../presets/migration-sets.js';
import { openTransport } from '../presets/transports.js';
import { startMetadataApiOf } from './metadata-node.js';
import { startVolumeNode, type VolumeNodeParts } from './volume-node.js';
import { computeVolumeApiOf } from '../presets/compute-volumes.js';
import { createWebSites } from '../presets/web-sites.js';
import { createConsoleAuth } from '../../compute/compute-core.js';
import { CONSOLE_PAGE } from '../../dashboard/server/console-proxy-site.js';
import { NeutronClient } from '../../compute/network/neutron-client.js';
import { withLocalSecurityGroupReads } from '../../compute/network/local-security-group-reads.js';
import { deviceSecurityGroupsReader } from '../../network/api/device-security-groups.js';
import { nodeServiceCredentials } from './service-credentials.js';
import { NovaClient } from '../../volume/compute/nova-client.js';

const LOG = getLogger('nimbus.cli.node');

export interface CloudNode {
  /** Base URL the APIs answer at. */
  readonly url: string;
  readonly port: number;
  /** Identity's managers and tokens (the all-in-one bootstrap fills them). */
  readonly identity: IdentityCore;
  /** The node's database connection (closed by stop()). */
  readonly database: Database;
  /** The image service compute shares (the all-in-one bootstrap uploads the guest image through it). */
  readonly images: ImageService;
  /** `[compute] driver`, auto resolved: what this node's agents run, and with none (`--compute-hosts 0`) what the cloud's remote agents are set up for; undefined without the compute service. */
  readonly computeDriver: DriverName | undefined;
  /** The network plugin the API serves, where the node serves network (the all-in-one bootstrap lays DevStack's networks through it). */
  readonly network: CorePlugin | undefined;
  /** Drains in-flight requests, then closes the bus and the database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface NodeOptions {
  /** The `nimbus` subcommand starting the node (`up`, `serve`): it names the node's bus connection. */
  readonly command: string;
  readonly services: readonly ApiServiceName[];
  /** Apply pending migrations at start (all-in-one); otherwise pending ones stop start-up. */
  readonly migrate: boolean;
  /** Compute agents this node runs beside the conductor and scheduler, by host name (none: they run elsewhere). */
  readonly computeHosts: readonly string[];
  /**
   * Host names the node's own network agent answers for (none: agents run under `nimbus
   * network-agent`). The all-in-one's agent removes what it wired when the node stops.
   */
  readonly networkAgentHosts?: readonly string[];
}

/**
 * Who the network server is towards Nova: `[service_user]`, or in the all-in-one (which has no
 * service user of its own) the bootstrapped administrator of the state dir.
 */
function novaSession(config: NimbusConfig, allInOne: boolean, identityUrl: () => string): () => NovaAuth | undefined {
  const credentials = config.service_user.auth_url !== '' || allInOne ? nodeServiceCredentials(config, identityUrl) : undefined;
  return () => credentials;
}

/**
 * Who compute is towards the network and volume APIs it calls: `[service_user]`, or in a node that
 * serves identity without one (the all-in-one) the bootstrapped administrator; neither: nobody.
 */
function computeServiceUserOf(config: NimbusConfig, options: NodeOptions, nodeUrl: () => string): ServiceCredentials | undefined {
  if (config.service_user.auth_url === '' && !options.services.includes('identity')) return undefined;
  return nodeServiceCredentials(config, () => `${nodeUrl()}/identity`);
}

/**
 * The network API as compute reaches it: `[neutron] endpoint_override`, else this node's own
 * network API, else the service user's catalog; none of them: compute runs without networking.
 */
function networkClientOf(config: NimbusConfig, options: NodeOptions, nodeUrl: () => string, serviceUser: ServiceCredentials | undefined): NeutronClient | undefined {
  const servesNetwork = options.services.includes('network');
  if (config.neutron.endpoint_override === '' && !servesNetwork && config.service_user.auth_url === '') return undefined;
  const override = config.neutron.endpoint_override;
  return new NeutronClient({
    endpointOverride: servesOwnNetwork(config, options) ? () => `${nodeUrl()}/network` : override,
    defaultFloatingPool: config.neutron.default_floating_pool,
    ...(serviceUser === undefined ? {} : { serviceUser }),
  });
}

/** Whether compute's network API is this node's own (no `[neutron] endpoint_override` elsewhere). */
function servesOwnNetwork(config: NimbusConfig, options: NodeOptions): boolean {
  return options.services.includes('network') && config.neutron.endpoint_override === '';
}

async function prepareSchema(db: Database, migrate: boolean): Promise<void> {
  for (const set of MIGRATION_SETS) {
    if (migrate) {
      await migrateToLatest(db, set);
      continue;
    }
    const status = await migrationStatus(db, set);
    if (status.pending.length > 0) {
      throw new StartupError(`Database schema of ${set.name} is not current (${status.pending.length} pending): run \`nimbus db sync\``);
    }
  }
}

/**
 * How this node's volume service tells compute that an attached volume grew: the compute API of
 * this node with the service credentials (the bootstrap admin in the all-in-one); none where the
 * node serves no compute (a scaled-out volume node: guests see the size at their next start).
 */
function computeNotifierOf(config: NimbusConfig, options: NodeOptions, nodeUrl: () => string): NovaClient | undefined {
  const servesIdentity = options.services.includes('identity');
  if (!options.services.includes('compute') || (config.service_user.auth_url === '' && !servesIdentity)) return undefined;
  return new NovaClient({ endpoint: () => `${nodeUrl()}/compute`, credentials: nodeServiceCredentials(config, () => `${nodeUrl()}/identity`) });
}

/** A stop step still running after this long is named in the log: a node that does not stop tells what it waits for. */
const SLOW_STOP_STEP_MS = 10_000;

/** Runs one step of stopping, with a WARNING naming it should it take long. */
async function stopStep(what: string, step: () => Promise<void> | void): Promise<void> {
  const slow = setTimeout(() => LOG.warning(`Stopping is still waiting for ${what} after ${SLOW_STOP_STEP_MS / 1000} s`), SLOW_STOP_STEP_MS);
  try {
    await step();
  } finally {
    clearTimeout(slow);
  }
}

/**
 * Starts one node: database, bus, the HTTP listener with the chosen service APIs, and service
 * heartbeats. Whatever started is closed again if a later step fails.
 */
export async function startCloudNode(config: NimbusConfig, options: NodeOptions): Promise<CloudNode> {
  /** What stopping does, by what it stops (named in the log when it takes long), in the order things started. */
  const undo: [string, () => Promise<void> | void][] = [];
  const rollback = async () => {
    // Every step runs even when one before it failed: an agent that could not clean up must not keep the bus and database open.
    const failures: unknown[] = [];
    for (const [what, step] of undo.reverse()) {
      try {
        await stopStep(what, step);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} steps of stopping failed: ${failures.map(messageOf).join('; ')}`);
    if (failures.length === 1) throw failures[0];
  };
  try {
    const db = await openDatabase(config.database.connection, { stepTimeoutMs: config.database.query_timeout * 1000 });
    undo.push(['the database connections', () => db.close()]);
    // The bus before the schema: an unreachable broker then fails start-up before anything is written.
    const transport: Transport = openTransport(config.bus.transport_url, { command: options.command, host: config.DEFAULT.host }, { durableQueues: config.bus.amqp_durable_queues });
    await transport.connect();
    undo.push(['the message bus connection', () => transport.close()]);
    await prepareSchema(db, options.migrate);
    const identity = await startIdentityCore(db, config);
    undo.push(['identity', () => identity.close()]);
    const images = createImageService(db, config, { data: imageBackendsOf(config), staging: imageStagingOf(config) });
    // A stopping node lets running imports (local copies) end before the database closes, not leave images importing.
    undo.push(['the image imports running', () => images.whenImportsIdle()]);
    // Links are rendered per request: with --port 0 the URL is known only after listen.
    let url = publicUrl(config);
    const computeServiceUser = computeServiceUserOf(config, options, () => url);
    const computeVolumes = computeVolumeApiOf(config, options.services.includes('volume') ? () => `${url}/volume/v3` : undefined, computeServiceUser);
    const neutron = networkClientOf(config, options, () => url, computeServiceUser);
    let computeWorkers: ComputeWorkers | undefined;
    let computeDriver: DriverName | undefined;
    if (options.services.includes('compute')) {
      const driver = computeDriverOf(config);
      computeDriver = driver;
      computeWorkers = await startComputeWorkers({
        database: db,
        transport,
        images,
        ...(computeVolumes === undefined ? {} : { volumes: computeVolumes }),
        drivers: await computeDriverFactory(driver, { stateDir: config.DEFAULT.state_dir, instancesPath: config.compute.instances_path, migrationAddress: config.compute.live_migration_inbound_addr, images }),
        hosts: options.computeHosts,
        stateDir: config.DEFAULT.state_dir,
        controllerHost: config.DEFAULT.host,
        rpcTimeoutSeconds: config.bus.rpc_response_timeout,
        longRpcTimeoutSeconds: config.bus.long_rpc_timeout,
        reportIntervalMs: config.DEFAULT.report_interval * 1000,
        serviceDownTimeSeconds: config.DEFAULT.service_down_time,
        shelvedOffloadTimeSeconds: config.DEFAULT.shelved_offload_time,
        forceConfigDrive: config.DEFAULT.force_config_drive,
        shelvedPollIntervalMs: config.DEFAULT.shelved_poll_interval * 1000,
        allowResizeToSameHost: config.DEFAULT.allow_resize_to_same_host,
        instanceBuildTimeoutSeconds: config.DEFAULT.instance_build_timeout,
        resizeConfirmWindowSeconds: config.DEFAULT.resize_confirm_window,
        reclaimInstanceIntervalSeconds: config.DEFAULT.reclaim_instance_interval,
        ...(neutron === undefined ? {} : { network: neutron }),
        vifPluggingTimeoutSeconds: config.DEFAULT.vif_plugging_timeout,
        vifPluggingIsFatal: config.DEFAULT.vif_plugging_is_fatal,
      });
      const workers = computeWorkers;
      undo.push(['the compute workers (conductor, scheduler, agents)', () => workers.stop()]);
    }
    let volume: VolumeNodeParts | undefined;
    if (options.services.includes('volume')) {
      const started = await startVolumeNode(config, db, transport, images, options.computeHosts, computeNotifierOf(config, options, () => url));
      volume = started;
      undo.push(['the volume workers', () => started.workers.stop()]);
    }
    const metadataApi = await startMetadataApiOf(config, db, options.services);
    if (metadataApi !== undefined) undo.push(['the metadata API', () => metadataApi.close()]);
    let network: NetworkServer | undefined;
    if (options.services.includes('network')) {
      const allInOne = (options.networkAgentHosts ?? []).length > 0;
      const server = await startNetworkServer({ database: db, transport, config, novaAuth: novaSession(config, allInOne, () => `${url}/identity`) });
      network = server;
      undo.push(['the network server', () => server.stop()]);
      const agentHosts = options.networkAgentHosts ?? [];
      if (agentHosts.length > 0) {
        const agent = await startNetworkAgent(config, transport, agentHosts, computeDriver, { novaMetadataPort: metadataApi?.port, allInOne: true });
        undo.push(['the network agent', () => agent.stop({ teardown: true })]);
      }
    }
    const consoleAuth = options.services.includes('compute')
      ? createConsoleAuth(db, {
          tokenTtlSeconds: config.consoleauth.token_ttl,
          novncBaseUrl: () => (config.vnc.novncproxy_base_url === '' ? `${url}/novnc/${CONSOLE_PAGE}` : config.vnc.novncproxy_base_url),
        })
      : undefined;
    const policy = createPolicyEnforcer({
      defaults: POLICY_DEFAULTS,
      ...(config.oslo_policy.policy_file === '' ? {} : { overridesFile: config.oslo_policy.policy_file }),
    });

    const deps = {
      get publicUrl() {
        return url;
      },
      auth: { validator: identity.validator, identityUri: () => `${url}/identity` },
      policy,
    };
    const networkPlugin = network?.plugin ?? createNetworkPlugin(db, config.network);
    const computeNetwork = servesOwnNetwork(config, options) && neutron !== undefined ? withLocalSecurityGroupReads(neutron, deviceSecurityGroupsReader(networkPlugin, policy)) : neutron;
    const services = createApiServices(options.services, deps, {
      identity,
      database: db,
      images,
      network: networkPlugin,
      ...(computeWorkers === undefined ? {} : { computeWorkers }),
      ...(computeNetwork === undefined ? {} : { computeNetwork }),
      ...(volume === undefined ? {} : { volume: volume.core }),
      ...(consoleAuth === undefined ? {} : { consoleAuth }),
      host: config.DEFAULT.host,
      reclaimInstanceIntervalSeconds: config.DEFAULT.reclaim_instance_interval,
      ...(computeVolumes === undefined ? {} : { computeVolumes }),
    });
    const app = buildHttpApp({
      services,
      sites: createWebSites(consoleAuth === undefined ? {} : { consoleAuth }),
      maxBodyBytes: config.api.max_request_body_size,
    });
    undo.push(['the HTTP API (requests in flight)', () => app.close()]);
    try {
      await app.listen({ host: config.api.bind_host, port: config.api.port });
    } catch (err) {
      throw new StartupError(`Cannot listen on ${config.api.bind_host}:${config.api.port}: ${(err as Error).message}`);
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.api.port;
    url = publicUrl(config, port);
    // This node's services call each other in the process, not over a loopback connection each.
    undo.push(['in-process calls', serveInProcess(services.map(({ prefix }) => `${url}${prefix}`), (request) => app.inject(request))]);

    const registry = new ServiceRegistry(db);
    for (const name of options.services) {
      const record = await registry.register({ binary: `nimbus-${name}-api`, host: config.DEFAULT.host, topic: name });
      undo.push([`the ${name} API heartbeat`, registry.startHeartbeat(record.id, config.DEFAULT.report_interval * 1000)]);
    }

    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      identity,
      database: db,
      images,
      computeDriver,
      network: network?.plugin,
      stop: () => (stopping ??= rollback()),
    };
  } catch (err) {
    await rollback().catch((cleanupError: unknown) => LOG.warning('Cleanup after a failed start failed', { error: cleanupError }));
    throw err;
  }
}
