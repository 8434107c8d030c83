/**
 * A `nimbus up --driver fake` child for one describe block of CLI tests, with the bootstrap's
 * admin and demo as `openstack` CLI environments. It starts in before() and is stopped, with its
 * state dir and the block's scratch dir, in after(), even when a test failed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { cliPersonas } from './compute-cloud.js';
import { freePort } from './free-port.js';
import { runNimbus, type NimbusProcess } from './nimbus-process.js';
import type { OpenstackEnv } from './openstack-cli.js';

export interface FakeCliCloud {
  readonly stateDir: string;
  /** A scratch dir for the block's own files. */
  readonly work: string;
  readonly nimbus: NimbusProcess;
  /** `http://127.0.0.1:<port>`, for requests the CLI does not make. */
  readonly base: string;
  readonly admin: OpenstackEnv;
  readonly demo: OpenstackEnv;
}

/**
 * Call inside `describe`: registers the block's before() and after() hooks. `name` goes into the
 * temporary dirs' names; `config`, when given, is the cloud's nimbus.conf text.
 */
export function fakeCliCloud(name: string, options: { config?: string } = {}): FakeCliCloud {
  const stateDir = mkdtempSync(join(tmpdir(), `nimbus-${name}-`));
  const work = mkdtempSync(join(tmpdir(), `nimbus-${name}-files-`));
  let running: Omit<FakeCliCloud, 'stateDir' | 'work'> | undefined;
  const started = () => {
    if (running === undefined) throw new Error(`the ${name} cloud is used before its before() hook started it`);
    return running;
  };
  before(async () => {
    const port = await freePort();
    const configFile = join(work, 'nimbus.conf');
    if (options.config !== undefined) writeFileSync(configFile, options.config);
    const nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake', ...(options.config === undefined ? [] : ['--config', configFile])]);
    running = { nimbus, base: `http://127.0.0.1:${port}`, admin: {}, demo: {} };
    // A loaded machine can take far longer than the usual few seconds to start every service.
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/, 90_000);
    running = { ...running, ...cliPersonas(stateDir) };
  });
  after(async () => {
    if (running !== undefined) {
      running.nimbus.child.kill('SIGTERM');
      await running.nimbus.exited();
    }
    rmSync(work, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });
  return {
    stateDir,
    work,
    get nimbus() { return started().nimbus; },
    get base() { return started().base; },
    get admin() { return started().admin; },
    get demo() { return started().demo; },
  };
}
