import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NotFound } from '../../common/errors/errors.js';
import { ImageTooLarge } from './errors.js';
import type { ImageStore } from './image-store.js';
import { describeContract, type ContractOptions } from '../../../test/support/contract-suite.js';

/** One store under test, and a view of everything it holds so tests can prove nothing was left behind. */
export interface ImageStoreHarness {
  readonly store: ImageStore;
  /** Every object the store holds, staged or committed, in the implementation's own names. */
  listObjects(): Promise<string[]>;
  dispose(): Promise<void>;
}

const NO_LIMIT = { maxBytes: Number.MAX_SAFE_INTEGER };
const MiB = 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function digest(algorithm: string, data: Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

interface GeneratedSource {
  readonly chunks: number;
  readonly size: number;
  /** Fail (as a client disconnect does) after this many chunks. */
  readonly failAfter?: number;
  /** Called before each chunk is produced, with the bytes produced so far. */
  readonly onRead?: (produced: number) => void;
}

/** A stream of fresh random chunks, each produced only when the consumer asks for more. */
function generated({ chunks, size, failAfter, onRead }: GeneratedSource): Readable & { produced: number } {
  let sent = 0;
  const stream = new Readable({
    read() {
      onRead?.(stream.produced);
      if (failAfter !== undefined && sent === failAfter) {
        // What an HTTP request body does when the client disconnects mid-upload.
        this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        return;
      }
      if (sent === chunks) {
        this.push(null);
        return;
      }
      sent += 1;
      stream.produced += size;
      this.push(randomBytes(size));
    },
  }) as Readable & { produced: number };
  stream.produced = 0;
  return stream;
}

/** A full garbage collection, so a memory reading shows what is live rather than what is uncollected. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const CASES = {
  'round trip: size and hashes match node:crypto, data reads back whole': async (harness) => {
    const id = randomUUID();
    const data = randomBytes(3 * MiB + 17);
    const staged = await harness.store.stage(id, Readable.from([data.subarray(0, MiB), data.subarray(MiB)]), NO_LIMIT);
    assert.equal(staged.size, data.length);
    assert.equal(staged.md5, digest('md5', data));
    assert.equal(staged.sha512, digest('sha512', data));
    await staged.commit();
    assert.deepEqual(await readAll(await harness.store.open(id)), data);
    await harness.store.delete(id);
  },

  'range reads: first bytes, middle, last byte, an end past the data': async (harness) => {
    const id = randomUUID();
    const data = randomBytes(10_000);
    const staged = await harness.store.stage(id, Readable.from([data]), NO_LIMIT);
    await staged.commit();
    assert.deepEqual(await readAll(await harness.store.open(id, { start: 0, end: 9 })), data.subarray(0, 10));
    assert.deepEqual(await readAll(await harness.store.open(id, { start: 4000, end: 5999 })), data.subarray(4000, 6000));
    assert.deepEqual(await readAll(await harness.store.open(id, { start: 9999, end: 9999 })), data.subarray(9999));
    assert.deepEqual(await readAll(await harness.store.open(id, { start: 9990, end: 20_000 })), data.subarray(9990));
    await assert.rejects(harness.store.open(id, { start: 10_000, end: 10_001 }), { status: 416 });
    await harness.store.delete(id);
  },

  'staged data is invisible until commit; abort removes it': async (harness) => {
    const id = randomUUID();
    const staged = await harness.store.stage(id, Readable.from([Buffer.from('staged bytes')]), NO_LIMIT);
    await assert.rejects(harness.store.open(id), NotFound);
    assert.equal((await harness.listObjects()).length, 1);
    await staged.abort();
    await assert.rejects(harness.store.open(id), NotFound);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'abort after commit leaves the committed data alone': async (harness) => {
    const id = randomUUID();
    const staged = await harness.store.stage(id, Readable.from([Buffer.from('kept')]), NO_LIMIT);
    await staged.commit();
    await staged.abort();
    assert.equal((await readAll(await harness.store.open(id))).toString(), 'kept');
    await harness.store.delete(id);
  },

  'over the cap: ImageTooLarge naming the cap, nothing left behind': async (harness) => {
    const source = generated({ chunks: 64, size: 64 * 1024 });
    const error = await harness.store.stage(randomUUID(), source, { maxBytes: MiB }).then(
      () => assert.fail('an oversized image was accepted'),
      (rejection: unknown) => rejection,
    );
    assert.ok(error instanceof ImageTooLarge);
    assert.equal(error.status, 413);
    assert.match(error.message, new RegExp(String(MiB)));
    assert.ok(source.produced < 4 * MiB, `read ${source.produced} bytes after passing the cap`);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'exactly the cap is accepted': async (harness) => {
    const id = randomUUID();
    const staged = await harness.store.stage(id, Readable.from([randomBytes(1000)]), { maxBytes: 1000 });
    assert.equal(staged.size, 1000);
    await staged.abort();
  },

  'a source that fails midway (client disconnect) rejects and leaves nothing': async (harness) => {
    const id = randomUUID();
    await assert.rejects(harness.store.stage(id, generated({ chunks: 100, size: 64 * 1024, failAfter: 10 }), NO_LIMIT), { code: 'ECONNRESET' });
    await assert.rejects(harness.store.open(id), NotFound);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'delete is idempotent; open of a missing image is NotFound': async (harness) => {
    const id = randomUUID();
    const staged = await harness.store.stage(id, Readable.from([Buffer.from('x')]), NO_LIMIT);
    await staged.commit();
    await harness.store.delete(id);
    await harness.store.delete(id);
    await assert.rejects(harness.store.open(id), NotFound);
    await assert.rejects(harness.store.open(randomUUID()), NotFound);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'a 64 MiB image streams: live memory stays far below its size': async (harness) => {
    const gc = collectGarbage();
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const chunkSize = 256 * 1024;
    // Sample what is live every 4 MiB the store asks for; a buffering store would hold it all.
    const onRead = (produced: number): void => {
      if (produced % (4 * MiB) !== 0) return;
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    };
    const source = generated({ chunks: (64 * MiB) / chunkSize, size: chunkSize, onRead });
    const id = randomUUID();
    const staged = await harness.store.stage(id, source, NO_LIMIT);
    assert.equal(staged.size, 64 * MiB);
    assert.ok(peak < 16 * MiB, `live buffers grew by ${peak} bytes while staging 64 MiB`);
    await staged.abort();
  },
} satisfies Record<string, (harness: ImageStoreHarness) => Promise<void>>;

export type ImageStoreContractTest = keyof typeof CASES;

/** The contract every image store meets, on a fresh, empty store per case. */
export function describeImageStoreContract(name: string, create: () => Promise<ImageStoreHarness>, options?: ContractOptions<ImageStoreContractTest>): void {
  describeContract(`image store contract: ${name}`, CASES, create, options);
}
