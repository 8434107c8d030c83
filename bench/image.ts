/**
 * Image data figures: a 1 GiB upload (PUT …/file) and download (GET …/file to a file) through
 * the API of a real `nimbus up` (child process, fresh state dir), each against a plain `cp` of
 * the same file on the same disk in the same run, and the server's resident memory while the
 * upload streams (sampled from /proc every 50 ms: it must not grow with the image). Prints one
 * JSON object. NIMBUS_BENCH_IMAGE_MB picks another size.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { startBenchCloud } from './support/bench-cloud.js';
import { memoryOf } from './support/process-stats.js';

const PORT = Number(process.env['NIMBUS_BENCH_PORT'] ?? 18791);
const SIZE_MB = Number(process.env['NIMBUS_BENCH_IMAGE_MB'] ?? 1024);
/** The whole run is abandoned after this long (a stuck transfer must not hang CI). */
const DEADLINE_MS = 15 * 60_000;
const MIB = 1 << 20;

const run = promisify(execFile);


/** Real data, not sparse: one random MiB written over and over (its first bytes zeroed so no format header can match). */
async function writeDataFile(path: string): Promise<void> {
  const block = randomBytes(MIB);
  block.fill(0, 0, 4096);
  const out = createWriteStream(path);
  for (let written = 0; written < SIZE_MB; written += 1) {
    if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

/** Runs fn while sampling the process's RSS every 50 ms; returns the peak seen, in MiB. */
async function peakRssDuring(pid: number, fn: () => Promise<void>): Promise<number> {
  let peakKb = memoryOf(pid).rssKb;
  const timer = setInterval(() => (peakKb = Math.max(peakKb, memoryOf(pid).rssKb)), 50);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.round(Math.max(peakKb, memoryOf(pid).rssKb) / 1024);
}

/** One HTTP exchange with the request body streamed from `upload` and the response body into `download` (or discarded). */
function exchange(method: string, url: string, headers: Record<string, string>, options: { upload?: string; download?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (response) => {
      const status = response.statusCode ?? 0;
      if (options.download !== undefined && status === 200) {
        pipeline(response, createWriteStream(options.download)).then(() => resolve({ status, body: '' }), reject);
        return;
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status, body }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    if (options.upload === undefined) outgoing.end();
    else pipeline(createReadStream(options.upload, { highWaterMark: MIB }), outgoing).catch(reject);
  });
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    process.stderr.write(`bench/image: abandoned after ${DEADLINE_MS / 60_000} minutes\n`);
    process.exit(1);
  }, DEADLINE_MS);
  const cloud = await startBenchCloud(PORT, 'image');
  const { stateDir, pid } = cloud;
  try {
    const source = join(stateDir, 'bench-source.raw');
    await writeDataFile(source);
    const bytes = statSync(source).size;

    const token = await cloud.adminToken();
    const images = `${cloud.url}/image/v2/images`;
    const create = await fetch(images, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', disk_format: 'raw', container_format: 'bare' }),
    });
    const { id } = (await create.json()) as { id: string };

    const cpSeconds = await timed(async () => void (await run('cp', [source, join(stateDir, 'bench-copy.raw')])));
    rmSync(join(stateDir, 'bench-copy.raw'));
    const rssIdleMb = Math.round(memoryOf(pid).rssKb / 1024);
    let uploadSeconds = 0;
    const uploadPeakRssMb = await peakRssDuring(pid, async () => {
      uploadSeconds = await timed(async () => {
        const { status, body } = await exchange('PUT', `${images}/${id}/file`, { 'x-auth-token': token, 'content-type': 'application/octet-stream', 'content-length': String(bytes) }, { upload: source });
        if (status !== 204) throw new Error(`upload answered ${status}: ${body}`);
      });
    });
    const download = join(stateDir, 'bench-download.raw');
    let downloadSeconds = 0;
    const downloadPeakRssMb = await peakRssDuring(pid, async () => {
      downloadSeconds = await timed(async () => {
        const { status, body } = await exchange('GET', `${images}/${id}/file`, { 'x-auth-token': token }, { download });
        if (status !== 200) throw new Error(`download answered ${status}: ${body}`);
      });
    });
    if (statSync(download).size !== bytes) throw new Error('the download is not the size of the upload');

    const mbps = (seconds: number) => Math.round(bytes / MIB / seconds);
    const figures = {
      bench: 'image',
      bytes,
      cp: { seconds: round(cpSeconds), mib_per_s: mbps(cpSeconds) },
      upload: { seconds: round(uploadSeconds), mib_per_s: mbps(uploadSeconds), ratio_to_cp: round(uploadSeconds / cpSeconds) },
      download: { seconds: round(downloadSeconds), mib_per_s: mbps(downloadSeconds), ratio_to_cp: round(downloadSeconds / cpSeconds) },
      server_rss_mib: { idle_before_upload: rssIdleMb, peak_during_upload: uploadPeakRssMb, peak_during_download: downloadPeakRssMb },
      notes: 'upload includes hashing (md5 + sha512), header inspection and an fsync before the rename; cp does none of these',
    };
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
  } finally {
    clearTimeout(deadline);
    await cloud.stop();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

await main();
