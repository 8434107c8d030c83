#!/usr/bin/env node
// First-use set-up shared by `./nimbus` and `npm test`: installs npm packages when they are
// missing or older than package-lock.json, (with --build) compiles TypeScript when any source is
// newer than the last build (then bundles the CLI `./nimbus` runs), and installs the Debian packages
// the cloud runs on (QEMU) or, with --test, those the tests drive too, such as the real `openstack`
// CLI. Cheap when nothing changed; with --build it leaves dist/.setup-checked behind, and `./nimbus`
// skips it altogether while nothing it checks is newer than that stamp.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliBundleIsStale } from './build-cli-bundle.mjs';
import { dashboardIsStale } from './build-dashboard.mjs';
import { mtime, newestUnder } from './lib/mtime.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const wantBuild = process.argv.includes('--build');
const wantTest = process.argv.includes('--test');
/** Sources edited while this check runs are newer than the stamp it leaves: the next launch checks again. */
const checkStarted = new Date();

/**
 * Debian packages the all-in-one runs on: QEMU for real guests, iproute2, nftables, conntrack and
 * dnsmasq for the network data path (bridges, taps, namespaces, security groups, NAT, DHCP), and what
 * scripts/build-guest-image.sh builds the guest image with.
 */
const RUNTIME_DEBIAN_PACKAGES = [
  'qemu-system-x86',
  'qemu-utils',
  'iproute2',
  'nftables',
  'dnsmasq-base',
  // The metadata proxy in each network's DHCP namespace, as Neutron runs it.
  'haproxy',
  'procps',
  'conntrack',
  'syslinux',
  'syslinux-common',
  'mtools',
  'dosfstools',
  'fdisk',
  'busybox-static',
];

/** And the ones the test suite drives besides: the clients users judge Nimbus by. */
const TEST_DEBIAN_PACKAGES = [
  ...RUNTIME_DEBIAN_PACKAGES,
  'python3-openstackclient',
  // Tempest's own response schemas judge the compute API in the route tests.
  'tempest',
  'python3-jsonschema',
  // bench/network measures TCP throughput through the data path with it.
  'iperf3',
  // The browser the dashboard's tests drive through playwright-core (nothing is downloaded).
  'chromium',
];

function run(command, args) {
  process.stderr.write(`nimbus setup: ${command} ${args.join(' ')}\n`);
  execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

const installedStamp = join(root, 'node_modules', '.package-lock.json');
if (mtime(installedStamp) < mtime(join(root, 'package-lock.json'))) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** One dpkg-query for all of them, so the check stays cheap on every `./nimbus` run. */
function missingDebianPackages(names) {
  let listing = '';
  try {
    listing = execFileSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...names], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch (error) {
    // Exit 1 when some package is unknown; the known ones are still listed.
    listing = error.stdout?.toString() ?? '';
  }
  const installed = new Set(listing.split('\n').filter((line) => line.endsWith(' installed')).map((line) => line.split(' ')[0]));
  return names.filter((name) => !installed.has(name));
}

function installDebianPackages(names) {
  const missing = missingDebianPackages(names);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    process.stderr.write(`nimbus setup: *** not root, cannot install ${missing.join(' ')}; what needs them falls back (fake driver) or is SKIPPED\n`);
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  process.stderr.write(`nimbus setup: apt-get install ${missing.join(' ')}\n`);
  execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  // Other apt users may hold the dpkg lock for a while: wait for it rather than fail.
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=900', 'install', '-y', '-q', ...missing], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
}

if (wantTest) installDebianPackages(TEST_DEBIAN_PACKAGES);
else if (wantBuild) installDebianPackages(RUNTIME_DEBIAN_PACKAGES);

if (wantBuild) {
  const builtStamp = join(root, 'dist', '.tsbuildinfo');
  const sources = Math.max(
    newestUnder(join(root, 'src')),
    newestUnder(join(root, 'bench')),
    newestUnder(join(root, 'test')),
    mtime(join(root, 'tsconfig.json')),
    mtime(join(root, 'package-lock.json')),
  );
  if (mtime(builtStamp) < sources) {
    run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']);
    // tsc leaves its build info as it was when no output changed (a source only touched): dated
    // when this check began, the next check does not run tsc again for the same sources.
    utimesSync(builtStamp, checkStarted, checkStarted);
  }
  if (cliBundleIsStale()) run(process.execPath, [join(root, 'scripts', 'build-cli-bundle.mjs')]);
  if (dashboardIsStale()) run(process.execPath, [join(root, 'scripts', 'build-dashboard.mjs')]);
  // Read by the `nimbus` launcher: all of the above was current at checkStarted.
  const stamp = join(root, 'dist', '.setup-checked');
  closeSync(openSync(stamp, 'a'));
  utimesSync(stamp, checkStarted, checkStarted);
}
