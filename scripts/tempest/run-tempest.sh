#!/usr/bin/env bash
# Run Debian's Tempest (33) against a fresh Nimbus all-in-one on loopback and print the summary.
#
#   scripts/tempest/run-tempest.sh [--regex RE] [--services network,volume] [--image-stores] [--concurrency N] [--keep]
#   scripts/tempest/run-tempest.sh --ratchet [--phase core|services] [--listed-only] [--concurrency N] [--keep]
#
# --ratchet (CI) checks the lists in scripts/tempest/passing/ in two phases that run at the same
# time, each against its own fresh cloud (docs/TEMPEST.md, "The ratchet"):
#   core      Neutron and Cinder off in tempest.conf: the whole compute, identity v3 (and admin v3)
#             and image v2 suites, so tests that start passing are printed;
#   services  Neutron and Cinder on: only the listed network and volume tests and the compute tests
#             that pass only with them on (compute-services.txt; to find new passes run the whole
#             suites with --services network,volume --regex ...), at twice the concurrency when
#             both phases run (its workers mostly sleep in Tempest's waits).
# In each phase every listed test that did not pass runs once more, alone; the run fails naming
# each listed test that failed twice. --phase runs one phase; --listed-only runs only the listed
# tests in the core phase too.
# Everything lives in one temp dir (Nimbus state, the tempest workspace, HOME for Tempest's own
# files); it is removed at the end unless --keep is given, in which case its path is printed
# (results: ws/failures.txt, ws/causes.txt, ws/results.subunit, ws/tempest.log, nimbus.log; with
# --ratchet these are under core/ and services/, with ws/ratchet.txt and ws/retry.subunit).
# --services turns Neutron (network) and/or Cinder (volume) on in tempest.conf, with the sections
# they need read from the running cloud (external network, API extensions, volume microversions);
# without it both stay off. --image-stores gives the image service two stores
# (enabled_backends = fast:file, slow:file), for Tempest's multi-store and copy-image import tests.
# Needs: a built tree (npx tsc -p tsconfig.json), /usr/bin/tempest, /usr/bin/openstack, qemu-img.
set -euo pipefail

REGEX='^tempest\.api\.compute'
CONCURRENCY=2
KEEP=0
RATCHET=0
PHASES=(core services)
LISTED_ONLY=0
REGEX_GIVEN=0
SERVICES_GIVEN=0
NEUTRON=false
CINDER=false
IMAGE_STORES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --regex) REGEX="$2"; REGEX_GIVEN=1; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --ratchet) RATCHET=1; shift ;;
    --phase)  # with --ratchet
      case "$2" in core|services) PHASES=("$2") ;; *) echo "run-tempest: unknown phase $2 (core, services)" >&2; exit 2 ;; esac
      shift 2 ;;
    --listed-only) LISTED_ONLY=1; shift ;;  # with --ratchet
    --image-stores) IMAGE_STORES=1; shift ;;
    --services)
      SERVICES_GIVEN=1
      IFS=, read -ra SERVICES <<<"$2"
      for service in "${SERVICES[@]}"; do
        case "$service" in
          network) NEUTRON=true ;;
          volume) CINDER=true ;;
          *) echo "run-tempest: unknown service $service (network, volume)" >&2; exit 2 ;;
        esac
      done
      shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "run-tempest: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ "$RATCHET" = 1 ] && [ "$REGEX_GIVEN$SERVICES_GIVEN$IMAGE_STORES" != 000 ]; then
  echo "run-tempest: --ratchet picks its own tests and services (--phase); no --regex, --services or --image-stores" >&2
  exit 2
fi

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MAIN="$ROOT/dist/src/cli/main.js"
[ -f "$MAIN" ] || { echo "run-tempest: $MAIN missing; run npx tsc -p tsconfig.json first" >&2; exit 2; }

WORK="$(mktemp -d /tmp/nimbus-tempest-XXXXXX)"
NIMBUS_PID=''
SERVICES_PID=''

stop_nimbus() {
  if [ -n "$NIMBUS_PID" ] && kill -0 "$NIMBUS_PID" 2>/dev/null; then
    kill "$NIMBUS_PID"
    wait "$NIMBUS_PID" 2>/dev/null || true
  fi
  NIMBUS_PID=''
}
cleanup() {
  stop_nimbus
  # An interrupted run in both phases: end the services phase (its cloud first, so that its
  # Tempest run ends at once) before removing its files.
  if [ -n "$SERVICES_PID" ] && kill -0 "$SERVICES_PID" 2>/dev/null; then
    kill "$(cat "$WORK/services/nimbus.pid" 2>/dev/null)" 2>/dev/null || true
    kill "$SERVICES_PID"
    wait "$SERVICES_PID" 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then echo "run-tempest: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# A free loopback port: bind port 0 and read what the kernel chose.
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

LOCKOUT_ATTEMPTS=3
LOCKOUT_SECONDS=10

upload_image() {  # FILE NAME → the new image's id
  /usr/bin/openstack image create --public --disk-format qcow2 --container-format bare \
    --file "$1" -f value -c id "$2"
}
flavor_id() { /usr/bin/openstack flavor show -f value -c id "$1"; }

# start_cloud DIR: a fresh Nimbus (state, log and config in DIR) and a Tempest workspace DIR/ws
# whose tempest.conf turns Neutron and Cinder on as $NEUTRON and $CINDER say. Sets STATE and WS.
start_cloud() {
  local dir="$1"
  STATE="$dir/state"
  WS="$dir/ws"
  PORT="$(free_port)"
  mkdir -p "$STATE" "$dir/home"
  # Glance Zed does not inspect uploads; Tempest uploads random bytes under each disk format. The
  # lockout is on so that Tempest's security compliance tests (below) can check it. The metadata API
  # takes any free port, as the main API does, so that two clouds on one machine do not collide.
  printf '[image]\nrequire_image_format_match = false\n[identity]\nlockout_failure_attempts = %s\nlockout_duration = %s\n[api]\nmetadata_listen_port = 0\n' \
    "$LOCKOUT_ATTEMPTS" "$LOCKOUT_SECONDS" >"$dir/nimbus.conf"
  if [ "$IMAGE_STORES" = 1 ]; then
    printf '[DEFAULT]\nenabled_backends = fast:file, slow:file\n[glance_store]\ndefault_backend = fast\n' >>"$dir/nimbus.conf"
  fi
  node "$MAIN" up --config "$dir/nimbus.conf" --driver fake --compute-hosts 2 --state-dir "$STATE" --port "$PORT" >"$dir/nimbus.log" 2>&1 &
  NIMBUS_PID=$!
  echo "$NIMBUS_PID" >"$dir/nimbus.pid"
  for _ in $(seq 1 100); do
    grep -q 'Nimbus is up' "$dir/nimbus.log" && break
    kill -0 "$NIMBUS_PID" 2>/dev/null || { cat "$dir/nimbus.log" >&2; exit 1; }
    sleep 0.2
  done
  grep -q 'Nimbus is up' "$dir/nimbus.log" || { echo "run-tempest: Nimbus did not start" >&2; exit 1; }
  echo "run-tempest: Nimbus up on 127.0.0.1:$PORT (state $STATE; neutron $NEUTRON, cinder $CINDER)"

  # Tempest and the CLI write caches under HOME; keep them in the temp dir.
  export HOME="$dir/home"
  # shellcheck disable=SC1091
  . "$STATE/admin-openrc"

  qemu-img create -q -f qcow2 "$dir/tiny.qcow2" 16M
  IMAGE_REF="$(upload_image "$dir/tiny.qcow2" tempest-image)"
  IMAGE_REF_ALT="$(upload_image "$dir/tiny.qcow2" tempest-image-alt)"
  FLAVOR_REF="$(flavor_id m1.tiny)"
  FLAVOR_REF_ALT="$(flavor_id m1.small)"
  MAX_MV="$(curl -sf "http://127.0.0.1:$PORT/compute/" | /usr/bin/python3 -c 'import json,sys; print(max((v["version"] for v in json.load(sys.stdin)["versions"] if v["version"]), key=lambda s: tuple(map(int, s.split(".")))))')"

  /usr/bin/tempest init --workspace-path "$dir/workspace.yaml" --name nimbus "$WS" >/dev/null
  cat >"$WS/etc/tempest.conf" <<EOF
[DEFAULT]
log_file = $WS/tempest.log
debug = false

[oslo_concurrency]
lock_path = $WS/lock

[auth]
use_dynamic_credentials = true
create_isolated_networks = false
admin_username = $OS_USERNAME
admin_password = $OS_PASSWORD
admin_project_name = $OS_PROJECT_NAME
admin_domain_name = Default

[identity]
uri_v3 = $OS_AUTH_URL/v3
auth_version = v3
region = $OS_REGION_NAME
v3_endpoint_type = publicURL
disable_ssl_certificate_validation = true
user_lockout_failure_attempts = $LOCKOUT_ATTEMPTS
user_lockout_duration = $LOCKOUT_SECONDS
# Keystone's default: no password history (Nimbus has none).
user_unique_last_password_count = 0

[identity-feature-enabled]
api_v2 = false
trust = true
security_compliance = true
application_credentials = true
# Access rules of application credentials are not built (a credential with them is a 400).
access_rules = true

[compute]
image_ref = $IMAGE_REF
image_ref_alt = $IMAGE_REF_ALT
flavor_ref = $FLAVOR_REF
flavor_ref_alt = $FLAVOR_REF_ALT
min_microversion = 2.1
max_microversion = $MAX_MV
min_compute_nodes = 2
build_timeout = 60
build_interval = 1
endpoint_type = publicURL

[compute-feature-enabled]
console_output = true
pause = true
suspend = true
shelve = true
shelve_migrate = false
rescue = true
stable_rescue = false
resize = true
cold_migration = true
live_migration = true
live_migrate_back_and_forth = false
block_migration_for_live_migration = false
can_migrate_between_any_hosts = true
snapshot = true
config_drive = true
metadata_service = false
interface_attach = false
change_password = false
enable_instance_password = true
personality = false
vnc_console = false
spice_console = false
serial_console = false
nova_cert = false
attach_encrypted_volume = false
swap_volume = false
volume_multiattach = false
xenapi_apis = false
unified_limits = false
hostname_fqdn_sanitization = false

[image]
endpoint_type = publicURL
disk_formats = raw,qcow2

[image-feature-enabled]
api_v2 = true
api_v1 = false
os_glance_reserved = true
import_image = true

[validation]
run_validation = false

[service_available]
nova = true
glance = true
neutron = $NEUTRON
cinder = $CINDER
swift = false
horizon = false
EOF

  # Neutron: the external network `nimbus up` lays (DevStack's `public`) and exactly the API
  # extensions GET /v2.0/extensions lists. Tempest makes no network per test project
  # ([auth] create_isolated_networks = false: each would cost a subnet delete, and Tempest sleeps
  # 10 s before each); the network tests make their own, and the servers of the compute and volume
  # tests get a port on one shared network behind DevStack's router1 ([compute]
  # fixed_network_name; oslo.config merges a section given twice), as they would on a project's
  # own network.
  if [ "$NEUTRON" = true ]; then
    PUBLIC_NETWORK_ID="$(/usr/bin/openstack network show -f value -c id public)"
    NETWORK_EXTENSIONS="$(/usr/bin/openstack extension list --network -f value -c Alias | sort | paste -sd, -)"
    /usr/bin/openstack network create --share tempest-shared >/dev/null
    /usr/bin/openstack subnet create --network tempest-shared --subnet-range 10.1.0.0/20 tempest-shared-subnet >/dev/null
    /usr/bin/openstack router add subnet router1 tempest-shared-subnet
    cat >>"$WS/etc/tempest.conf" <<EOF

[compute]
fixed_network_name = tempest-shared

[network]
endpoint_type = publicURL
public_network_id = $PUBLIC_NETWORK_ID
floating_network_name = public
build_timeout = 60

[network-feature-enabled]
api_extensions = $NETWORK_EXTENSIONS
ipv6 = true
port_security = true
floating_ips = true
EOF
  fi

  # Cinder: the microversions /volume/ advertises, one file backend (no multi-backend, no
  # manage/unmanage), exactly the extensions /extensions lists; backups, snapshots and clones exist.
  if [ "$CINDER" = true ]; then
    read -r VOLUME_MIN_MV VOLUME_MAX_MV < <(curl -sf "http://127.0.0.1:$PORT/volume/" |
      /usr/bin/python3 -c 'import json,sys; v=json.load(sys.stdin)["versions"][0]; print(v["min_version"], v["version"])')
    VOLUME_EXTENSIONS="$(/usr/bin/openstack extension list --volume -f value -c Alias | sort | paste -sd, -)"
    cat >>"$WS/etc/tempest.conf" <<EOF

[volume]
catalog_type = volumev3
endpoint_type = publicURL
min_microversion = $VOLUME_MIN_MV
max_microversion = $VOLUME_MAX_MV
build_timeout = 60
# What the file backend reports, so that a type asking for them (extra specs) finds it.
storage_protocol = file
vendor_name = Nimbus

[volume-feature-enabled]
multi_backend = false
backup = true
snapshot = true
clone = true
manage_snapshot = false
manage_volume = false
api_extensions = $VOLUME_EXTENSIONS
extend_attached_volume = false
EOF
  fi
}

RATCHET_PY=(/usr/bin/python3 "$ROOT/scripts/tempest/ratchet.py")
LISTS="$ROOT/scripts/tempest/passing"

# run_tempest SELECTION...: one Tempest run in $WS (at $CONCURRENCY); leaves ws/results.subunit,
# ws/failures.txt and ws/causes.txt, prints Tempest's totals and sets RC to its exit status.
run_tempest() {
  echo "run-tempest: tempest run $* --concurrency $CONCURRENCY"
  set +e
  (cd "$WS" && /usr/bin/tempest run "$@" --concurrency "$CONCURRENCY" >"$WS/run.out" 2>&1)
  RC=$?
  set -e
  (cd "$WS" && stestr last --subunit >"$WS/results.subunit" 2>/dev/null) || true
  (cd "$WS" && stestr failing --list >"$WS/failures.txt" 2>/dev/null) || true
  /usr/bin/python3 "$ROOT/scripts/tempest/failure-causes.py" "$WS/results.subunit" >"$WS/causes.txt" || true
  # The summary is the block from "Totals" to the end of tempest's output.
  awk '/^Totals$/ { found = 1; print "======" } found' "$WS/run.out"
  echo "run-tempest: tempest exited $RC; $(wc -l <"$WS/failures.txt") failing tests"
}

# ratchet SUITES SELECTION...: run SELECTION, then once more alone every listed test of SUITES
# that did not pass (the machine may be loaded: a listed test counts as failed only if it fails
# twice), and print the verdict (ws/ratchet.txt); returns 1 if a listed test failed twice. More
# than RETRY_MAX failures is a broken cloud, not a flaky test, and is not worth the time.
RETRY_MAX=50
ratchet() {
  local suites="$1"
  shift
  run_tempest "$@"
  local runs=("$WS/results.subunit")
  "${RATCHET_PY[@]}" retry-list "$LISTS" "$suites" "$WS/results.subunit" >"$WS/retry-list.txt"
  local retries
  retries="$(grep -c . "$WS/retry-list.txt" || true)"
  if [ "$retries" -gt 0 ] && [ "$retries" -le "$RETRY_MAX" ]; then
    echo "run-tempest: retrying $retries listed tests that did not pass"
    (cd "$WS" && /usr/bin/tempest run --include-list "$WS/retry-list.txt" --concurrency 1 >"$WS/retry.out" 2>&1) || true
    (cd "$WS" && stestr last --subunit >"$WS/retry.subunit" 2>/dev/null) || true
    runs+=("$WS/retry.subunit")
  fi
  "${RATCHET_PY[@]}" verdict "$LISTS" "$suites" "${runs[@]}" | tee "$WS/ratchet.txt"
  return "${PIPESTATUS[0]}"
}

if [ "$RATCHET" = 0 ]; then
  start_cloud "$WORK"
  run_tempest --regex "$REGEX"
  exit "$RC"
fi

# ratchet_phase core|services: the phase's cloud in $WORK/PHASE, its tests, the retries and the
# verdict; returns 1 if a listed test failed twice.
ratchet_phase() {
  local phase="$1" started=$SECONDS suites verdict=0
  local selection=(--regex '^tempest\.api\.(compute|identity\.(admin\.)?v3|image\.v2)\.')
  if [ "$phase" = core ]; then
    NEUTRON=false CINDER=false suites=compute,identity,image
  else
    NEUTRON=true CINDER=true suites=network,volume,compute-services
  fi
  echo "run-tempest: ratchet phase $phase ($suites)"
  start_cloud "$WORK/$phase"
  if [ "$phase" = services ] || [ "$LISTED_ONLY" = 1 ]; then
    "${RATCHET_PY[@]}" include-list "$LISTS" "$suites" >"$WS/include-list.txt"
    selection=(--include-list "$WS/include-list.txt")
  fi
  ratchet "$suites" "${selection[@]}" || verdict=1
  stop_nimbus
  echo "run-tempest: ratchet phase $phase took $((SECONDS - started)) s"
  return "$verdict"
}

if [ "${#PHASES[@]}" = 1 ]; then
  ratchet_phase "${PHASES[0]}"
  exit
fi
# Both phases at once: the services phase spends most of its time asleep in Tempest (33's
# subnets client waits 10 s before every subnet delete), so beside the core phase it costs little
# CPU. Its output is printed after the core phase's.
VERDICT=0
mkdir -p "$WORK/services"
# It runs twice as many workers: they mostly sleep, and the phase would otherwise outlast the core one.
(trap stop_nimbus EXIT; CONCURRENCY=$((CONCURRENCY * 2)); ratchet_phase services) >"$WORK/services/phase.out" 2>&1 &
SERVICES_PID=$!
ratchet_phase core || VERDICT=1
wait "$SERVICES_PID" || VERDICT=1
SERVICES_PID=''
cat "$WORK/services/phase.out"
exit "$VERDICT"
