/**
 * `scripts/multihost`: the multi-host harness from a shell (docs/DEPLOY.md, "Several hosts on one
 * machine"). `up` builds a deployment and leaves it running; `down` removes it; `status` lists
 * the deployments; `forward` is the harness's own TCP forwarder process.
 */
import { deployments, leftovers, multihostDown, multihostUp } from './multihost.js';
import { parseForward, startForward } from './tcp-forwarder.js';

const USAGE = `usage: scripts/multihost up [--hosts N] [--shared-storage [1,2,…]] [--name TAG]
       scripts/multihost down [--name TAG]      (all deployments without --name)
       scripts/multihost status`;

function flag(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  return value === undefined || value.startsWith('--') ? '' : value;
}

async function up(args: readonly string[]): Promise<void> {
  const hosts = Number(flag(args, '--hosts') ?? '2');
  const shared = flag(args, '--shared-storage');
  const sharedStorage = shared === undefined ? [] : shared === '' ? Array.from({ length: hosts }, (_, index) => index + 1) : shared.split(',').map(Number);
  const tag = flag(args, '--name');
  const deployment = await multihostUp({ hosts, sharedStorage, ...(tag === undefined || tag === '' ? {} : { tag }), log: (line) => process.stdout.write(`${line}\n`) });
  const m = deployment.manifest;
  process.stdout.write(
    `Multi-host deployment ${m.tag} is up.\n` +
      `  APIs:        http://${m.controlIp}:${m.apiPort} (control side, on bridge ${m.bridge})\n` +
      `  credentials: source ${m.root}/admin-openrc\n` +
      m.hosts.map((host) => `  ${host.name}:       namespace ${host.namespace}, ${host.address}, config ${host.config}${host.instancesPath === '' ? '' : `, shared ${host.instancesPath}`}\n`).join('') +
      `  logs:        ${m.root}/logs/\n` +
      `  remove it:   scripts/multihost down --name ${m.tag}\n`,
  );
}

async function down(args: readonly string[]): Promise<void> {
  const tag = flag(args, '--name');
  const chosen = deployments().filter((m) => tag === undefined || tag === '' || m.tag === tag);
  if (chosen.length === 0) process.stdout.write('no multi-host deployment is up\n');
  for (const m of chosen) {
    await multihostDown(m);
    const left = await leftovers(m);
    process.stdout.write(left.length === 0 ? `${m.tag}: removed\n` : `${m.tag}: left behind: ${left.join(', ')}\n`);
    if (left.length > 0) process.exitCode = 1;
  }
}

function status(): void {
  const all = deployments();
  if (all.length === 0) process.stdout.write('no multi-host deployment is up\n');
  for (const m of all) {
    process.stdout.write(`${m.tag}: http://${m.controlIp}:${m.apiPort}, ${m.hosts.map((host) => `${host.name} (${host.namespace} ${host.address})`).join(', ')}; source ${m.root}/admin-openrc\n`);
  }
}

async function forward(args: readonly string[]): Promise<void> {
  const allow = flag(args, '--allow');
  if (allow === undefined || allow === '') throw new Error('forward needs --allow PREFIX');
  const specs = args.filter((arg, index) => !arg.startsWith('--') && !args[index - 1]?.startsWith('--'));
  for (const spec of specs) await startForward(parseForward(spec), allow);
  process.stdout.write(`Forwarding ${specs.join(' ')} for ${allow}*\n`);
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: readonly string[]) => Promise<void> | void> = { up, down, status, forward };
const chosen = command === undefined ? undefined : commands[command];
if (chosen === undefined) {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
} else {
  await Promise.resolve(chosen(rest)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
