export const USAGE = `Usage: nimbus <command> [options]

Commands:
  up [--state-dir DIR] [--port PORT] [--driver auto|qemu|fake] [--compute-hosts N]
                        Run the all-in-one cloud in the foreground (every service, one process).
                        Prints the endpoint and writes DIR/admin-openrc and DIR/clouds.yaml.
  serve SERVICE...      Run only the named services: identity image compute volume network.
                        Serving compute runs its conductor and scheduler; agents run under compute-agent.
  compute-agent [--driver auto|qemu|fake] [--hosts N] [--host NAME]
                        Run compute agents against the conductor and scheduler on the bus (RabbitMQ):
                        N hosts compute-1 … compute-N (NAME-1 … NAME-N with --host NAME), or one
                        named NAME (default: [DEFAULT] host).
                        Images come over the image API: set [service_user] (or [glance] endpoint_override).
  network-agent [--datapath auto|linux-bridge|fake] [--host NAME]
                        Run the network agent of one host (Linux bridge, DHCP and, on [network] l3_host,
                        L3 agent in one) against the network server on the bus (RabbitMQ). Needs root.
  db sync               Apply database migrations of every service.
  bootstrap             Create the admin/demo identities and the catalog (scaled out; up does it itself).
  fernet setup|rotate   Create or rotate the token keys in <state_dir>/fernet-keys.
  status                Show the database, the registered services, the fault injections acting and
                        whether the APIs answer.
  fault inject --host H --kind slow|fail|drop_heartbeat|pause_bus [--operation STEP] [--instance ID]
        [--count N] [--duration S] [--delay-ms MS]
                        Inject a failure into a compute host, as the admin (docs/FAULTS.md).
  fault list [--host H] List the fault injections acting.
  fault clear [ID]      Clear one fault injection, or every one (of --host H).
  config-docs           Print docs/CONFIG.md, generated from the option table.
  help                  Show this text.

Options:
  --config FILE         Config file (default: $NIMBUS_CONFIG, else /etc/nimbus/nimbus.conf if present)
  --state-dir DIR       Where local state lives (default: ~/.nimbus)
  --port PORT           HTTP port of the API listener (default: 8770)
  --bind-host ADDR      Address the API listener binds to (default: 127.0.0.1)
  --driver auto|qemu|fake  Compute virt driver (default auto: qemu, real guests, where qemu-system-x86_64
                        is installed; fake, in-memory, elsewhere)
  --compute-hosts N     Compute agents to run, hosts compute-1 … compute-N (default: 1)
  --datapath auto|linux-bridge|fake  Network data path (default auto: fake with the fake driver, linux-bridge,
                        which needs root, otherwise)
  --debug               Log at DEBUG level
`;
