/** An all-in-one cloud with fake compute hosts and a cirros image, for the compute CLI tests. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { runNimbus, type NimbusProcess } from './nimbus-process.js';
import { openstack, openstackJson, parseOpenrc, type CliResult, type OpenstackEnv } from './openstack-cli.js';

const run = promisify(execFile);

export type Server = Record<string, unknown>;

export interface ComputeCloud {
  readonly nimbus: NimbusProcess;
  readonly admin: OpenstackEnv;
  /** The demo project's member. */
  readonly demo: OpenstackEnv;
  readonly show: (env: OpenstackEnv, server: string) => Promise<Server>;
  /** The admin sees admin-only fields; as with Nova, an admin finds another project's server by id, not by name. */
  readonly adminShow: (server: string) => Promise<Server>;
  /** Polls demo's `server show` until the status is reached (the CLI's own --wait polls only every 5 s). */
  readonly waitForStatus: (server: string, status: string) => Promise<Server>;
  /** `server create --wait` of cirros on m1.tiny. */
  readonly boot: (env: OpenstackEnv, name: string, extra?: readonly string[]) => Promise<Server>;
  /** Runs the command and asserts it succeeded. */
  readonly ok: (env: OpenstackEnv, args: readonly string[]) => Promise<CliResult>;
  readonly stop: () => Promise<void>;
}

function demoPassword(stateDir: string): string {
  const yaml = readFileSync(join(stateDir, 'clouds.yaml'), 'utf8');
  const match = /nimbus-demo:[\s\S]*?password: '((?:[^']|'')*)'/.exec(yaml);
  if (match?.[1] === undefined) throw new Error('no nimbus-demo password in clouds.yaml');
  return match[1].replaceAll("''", "'");
}

/** Starts `nimbus up` with `hosts` fake compute hosts and uploads a public qcow2 `cirros`. */
export async function startComputeCloud(name: string, hosts: number): Promise<ComputeCloud> {
  const stateDir = mkdtempSync(join(tmpdir(), `nimbus-${name}-`));
  const work = mkdtempSync(join(tmpdir(), `nimbus-${name}-files-`));
  const port = await freePort();
  const nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake', '--compute-hosts', String(hosts)]);
  await nimbus.waitFor(/Nimbus all-in-one cloud is running/);
  const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  const demo = { ...admin, OS_USERNAME: 'demo', OS_PASSWORD: demoPassword(stateDir), OS_PROJECT_NAME: 'demo' };
  const ok = async (env: OpenstackEnv, args: readonly string[]) => {
    const result = await openstack(env, args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  const show = (env: OpenstackEnv, server: string) => openstackJson<Server>(env, ['server', 'show', server]);
  const disk = join(work, 'disk.qcow2');
  writeFileSync(join(work, 'pattern.raw'), Buffer.alloc(1 << 20, 0x5a));
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(work, 'pattern.raw'), disk]);
  await ok(admin, ['image', 'create', 'cirros', '--file', disk, '--disk-format', 'qcow2', '--container-format', 'bare', '--public']);
  return {
    nimbus,
    admin,
    demo,
    show,
    adminShow: async (server) => show(admin, String((await show(demo, server))['id'])),
    waitForStatus: async (server, status) => {
      for (let attempt = 0; attempt < 150; attempt += 1) {
        const shown = await show(demo, server);
        if (shown['status'] === status) return shown;
        if (shown['status'] === 'ERROR' && status !== 'ERROR') throw new Error(`${server} went to ERROR: ${JSON.stringify(shown['fault'])}`);
        await sleep(200);
      }
      throw new Error(`${server} never reached ${status}`);
    },
    boot: (env, server, extra = []) => openstackJson<Server>(env, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', ...extra, '--wait', server]),
    ok,
    stop: async () => {
      nimbus.child.kill('SIGTERM');
      await nimbus.exited();
      rmSync(work, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
