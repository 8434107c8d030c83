import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { watchProcess, type NimbusProcess } from '../../../test/support/nimbus-process.js';

const RUN_COMMAND = JSON.stringify(new URL('./run-command.js', import.meta.url).href);

// A caller as `nimbus up` is one while it stops: SIGINT and SIGTERM caught, commands run meanwhile.
const CALLER = `
import { runCommand } from ${RUN_COMMAND};
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
console.log('running');
let ran = 0;
for (let i = 0; i < 40; i += 1) if ((await runCommand('sh', ['-c', 'sleep 0.05; echo ran'])) === 'ran\\n') ran += 1;
console.log('ran', ran, JSON.stringify(await runCommand('cat', [], { input: 'from stdin' })));
`;

// A caller that exits while its command (and the command's own child) still runs, as a third Ctrl-C makes \`nimbus up\` do.
const EXITING_CALLER = (pidFile: string) => `
import { runCommand } from ${RUN_COMMAND};
process.on('SIGTERM', () => process.exit(1));
void runCommand('sh', ['-c', 'sleep 60 & echo $$ $! > ${pidFile}; wait']);
console.log('running');
setInterval(() => undefined, 1000);
`;

/** Whether `pid` still runs (a zombie nobody reaps has ended). */
function runs(pid: number): boolean {
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return '';
    }
  })();
  return stat !== '' && !/^\d+ \(.*\) Z /.test(stat);
}

describe('runCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-run-command-'));
  const started: NimbusProcess[] = [];
  after(() => {
    for (const caller of started) if (caller.child.exitCode === null && caller.child.signalCode === null) caller.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  // Leading a process group of its own, as `nimbus up` under a terminal or `timeout`.
  const start = async (script: string): Promise<NimbusProcess> => {
    const caller = watchProcess(spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    started.push(caller);
    await caller.waitFor(/running/);
    return caller;
  };

  test("commands run to their end through Ctrl-C after Ctrl-C to the caller's process group", async () => {
    const caller = await start(CALLER);
    const group = caller.child.pid;
    assert.ok(group !== undefined);
    let exited = false;
    // Faster than a hand on Ctrl-C, slow enough that one command is not signalled on each of its starts (see own-session.ts).
    const pressing = (async () => {
      while (!exited) {
        process.kill(-group, 'SIGINT');
        await sleep(50);
      }
    })();
    const code = await caller.exited();
    exited = true;
    await pressing;
    // Node gives its signal handlers back as it exits: a Ctrl-C into that moment ends it by SIGINT, its commands run.
    assert.ok(code === 0 || code === 'SIGINT', `exit ${code}\n${caller.output()}`);
    assert.match(caller.output(), /ran 40 "from stdin"/);
  });

  test('a command still running when its caller exits is ended with its own children', async () => {
    const pidFile = join(dir, 'pids');
    const caller = await start(EXITING_CALLER(pidFile));
    let pids: number[] = [];
    for (let tries = 0; pids.length < 2 && tries < 100; tries += 1) {
      await sleep(50);
      pids = (() => {
        try {
          return readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
        } catch {
          return [];
        }
      })();
    }
    assert.equal(pids.length, 2, 'the command wrote its pids');
    assert.ok(pids.every(runs));
    caller.child.kill('SIGTERM');
    assert.equal(await caller.exited(), 1);
    for (let tries = 0; pids.some(runs) && tries < 100; tries += 1) await sleep(20);
    assert.deepEqual(pids.filter(runs), [], 'no command left running');
  });
});
