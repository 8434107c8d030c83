/**
 * Backup figures on the file backend and the posix backup driver, over HTTP against a real
 * `nimbus up`: a 1 GiB volume filled with random bytes (the worst case: nothing compresses, no
 * zeros to skip) is backed up and restored into a new volume, each timed from the API call to the
 * status, and compared with `cp` of the same file on the same disk; then 1 % of its 4 KiB blocks
 * (chosen at random) change and an incremental backup is timed, with the bytes it wrote. The load
 * average before and after is part of the output: the figures mean little without it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startBenchCloud } from './support/bench-cloud.js';

const PORT = Number(process.env['NIMBUS_BENCH_PORT'] ?? 18792);
const GIB = 1024 ** 3;
const BLOCK = 4096;
const POLL_MS = 50;

type Body = Record<string, { id: string; status: string; volume_id?: string } | undefined>;

async function main(): Promise<void> {
  const cloud = await startBenchCloud(PORT, 'volume-backup');
  try {
    const token = await cloud.adminToken();
    const projects = (await (await fetch(`${cloud.url}/identity/v3/auth/projects`, { headers: { 'x-auth-token': token } })).json()) as { projects: { id: string; name: string }[] };
    const project = projects.projects.find((each) => each.name === 'admin')?.id ?? '';
    const base = `${cloud.url}/volume/v3/${project}`;
    const headers = { 'x-auth-token': token, 'content-type': 'application/json' };
    const request = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      if (response.status >= 400) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return text === '' ? {} : (JSON.parse(text) as Body);
    };
    const settle = async (path: string, key: string, busy: readonly string[]): Promise<string> => {
      for (;;) {
        const status = (await request('GET', path))[key]?.status ?? '';
        if (!busy.includes(status)) return status;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    };
    const timed = async (work: () => Promise<void>) => {
      const start = process.hrtime.bigint();
      await work();
      return Number(process.hrtime.bigint() - start) / 1e9;
    };
    const volumeFile = (id: string) => join(cloud.stateDir, 'volumes', `volume-${id}`);
    const backupBytes = (id: string) => {
      const dir = join(cloud.stateDir, 'backup', `backup-${id}`);
      return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    };
    const backup = async (volumeId: string, incremental: boolean) => {
      let id = '';
      const seconds = await timed(async () => {
        id = (await request('POST', '/backups', { backup: { volume_id: volumeId, incremental } }))['backup']?.id ?? '';
        const status = await settle(`/backups/${id}`, 'backup', ['creating']);
        if (status !== 'available') throw new Error(`backup ${id} went to ${status}`);
      });
      return { id, seconds, bytesWritten: backupBytes(id) };
    };

    const loadBefore = loadavg();
    const volumeId = (await request('POST', '/volumes', { volume: { size: 1 } }))['volume']?.id ?? '';
    await settle(`/volumes/${volumeId}`, 'volume', ['creating']);
    const fd = openSync(volumeFile(volumeId), 'r+');
    try {
      const piece = 64 * 1024 * 1024;
      for (let offset = 0; offset < GIB; offset += piece) writeSync(fd, randomBytes(piece), 0, piece, offset);
    } finally {
      closeSync(fd);
    }

    const copy = join(cloud.stateDir, 'volumes', 'cp-baseline');
    const cpSeconds = await timed(async () => {
      execFileSync('cp', [volumeFile(volumeId), copy]);
      execFileSync('sync', [copy]);
    });
    rmSync(copy);

    const full = await backup(volumeId, false);
    let restoredId = '';
    const restoreSeconds = await timed(async () => {
      restoredId = (await request('POST', `/backups/${full.id}/restore`, { restore: { name: 'bench-restore' } }))['restore']?.volume_id ?? '';
      const status = await settle(`/backups/${full.id}`, 'backup', ['restoring']);
      const volume = await settle(`/volumes/${restoredId}`, 'volume', ['creating', 'restoring-backup']);
      if (status !== 'available' || volume !== 'available') throw new Error(`restore ended with backup ${status}, volume ${volume}`);
    });

    const blocks = GIB / BLOCK;
    const changed = Math.round(blocks * 0.01);
    const write = openSync(volumeFile(volumeId), 'r+');
    try {
      for (let index = 0; index < changed; index += 1) writeSync(write, randomBytes(BLOCK), 0, BLOCK, Math.floor(Math.random() * blocks) * BLOCK);
    } finally {
      closeSync(write);
    }
    const incremental = await backup(volumeId, true);
    const loadAfter = loadavg();

    for (const id of [incremental.id, full.id]) {
      await request('DELETE', `/backups/${id}`);
      await settle(`/backups/${id}`, 'backup', ['deleting']).catch(() => undefined);
    }
    const figures = {
      bench: 'volume-backup',
      volume_bytes: GIB,
      data: 'random (incompressible)',
      cp_seconds: cpSeconds,
      full_backup: { seconds: full.seconds, bytes_written: full.bytesWritten, mib_per_second: GIB / 2 ** 20 / full.seconds, ratio_to_cp: full.seconds / cpSeconds },
      restore_to_new_volume: { seconds: restoreSeconds, mib_per_second: GIB / 2 ** 20 / restoreSeconds, ratio_to_cp: restoreSeconds / cpSeconds },
      incremental_after_1_percent_of_4k_blocks: { changed_blocks: changed, seconds: incremental.seconds, bytes_written: incremental.bytesWritten, ratio_to_full_seconds: incremental.seconds / full.seconds },
      load_average_before: loadBefore,
      load_average_after: loadAfter,
      cpus: cpus().length,
    };
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
  } finally {
    await cloud.stop();
  }
}

await main();
