import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { NotFound } from '../../common/errors/errors.js';
import { ImageTooLarge } from './errors.js';
import { FilesystemImageStore } from './filesystem/filesystem-store.js';
import type { ImageStore } from './image-store.js';

/** One store under test, and a view of everything it holds so tests can prove nothing was left behind. */
export interface ImageStoreHarness {
  readonly store: ImageStore;
  /** Every object the store holds, staged or committed, in the implementation's own names. */
  listObjects(): Promise<string[]>;
  dispose(): Promise<void>;
}

export interface ImageStoreContractOptions {
  readonly name: string;
  readonly create: () => Promise<ImageStoreHarness>;
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

export function runImageStoreContract({ name, create }: ImageStoreContractOptions): void {
  describe(`image store contract: ${name}`, () => {
    let harness: ImageStoreHarness;
    let store: ImageStore;

    before(async () => {
      harness = await create();
      store = harness.store;
    });
    after(() => harness.dispose());

    test('round trip: size and hashes match node:crypto, data reads back whole', async () => {
      const id = randomUUID();
      const data = randomBytes(3 * MiB + 17);
      const staged = await store.stage(id, Readable.from([data.subarray(0, MiB), data.subarray(MiB)]), NO_LIMIT);
      assert.equal(staged.size, data.length);
      assert.equal(staged.md5, digest('md5', data));
      assert.equal(staged.sha512, digest('sha512', data));
      await staged.commit();
      assert.deepEqual(await readAll(await store.open(id)), data);
      await store.delete(id);
    });

    test('range reads: first bytes, middle, last byte, an end past the data', async () => {
      const id = randomUUID();
      const data = randomBytes(10_000);
      const staged = await store.stage(id, Readable.from([data]), NO_LIMIT);
      await staged.commit();
      assert.deepEqual(await readAll(await store.open(id, { start: 0, end: 9 })), data.subarray(0, 10));
      assert.deepEqual(await readAll(await store.open(id, { start: 4000, end: 5999 })), data.subarray(4000, 6000));
      assert.deepEqual(await readAll(await store.open(id, { start: 9999, end: 9999 })), data.subarray(9999));
      assert.deepEqual(await readAll(await store.open(id, { start: 9990, end: 20_000 })), data.subarray(9990));
      await assert.rejects(store.open(id, { start: 10_000, end: 10_001 }), { status: 416 });
      await store.delete(id);
    });

    test('staged data is invisible until commit; abort removes it', async () => {
      const id = randomUUID();
      const staged = await store.stage(id, Readable.from([Buffer.from('staged bytes')]), NO_LIMIT);
      await assert.rejects(store.open(id), NotFound);
      assert.equal((await harness.listObjects()).length, 1);
      await staged.abort();
      await assert.rejects(store.open(id), NotFound);
      assert.deepEqual(await harness.listObjects(), []);
    });

    test('abort after commit leaves the committed data alone', async () => {
      const id = randomUUID();
      const staged = await store.stage(id, Readable.from([Buffer.from('kept')]), NO_LIMIT);
      await staged.commit();
      await staged.abort();
      assert.equal((await readAll(await store.open(id))).toString(), 'kept');
      await store.delete(id);
    });

    test('over the cap: ImageTooLarge naming the cap, nothing left behind', async () => {
      const source = generated({ chunks: 64, size: 64 * 1024 });
      const error = await store.stage(randomUUID(), source, { maxBytes: MiB }).then(
        () => assert.fail('an oversized image was accepted'),
        (rejection: unknown) => rejection,
      );
      assert.ok(error instanceof ImageTooLarge);
      assert.equal(error.status, 413);
      assert.match(error.message, new RegExp(String(MiB)));
      assert.ok(source.produced < 4 * MiB, `read ${source.produced} bytes after passing the cap`);
      assert.deepEqual(await harness.listObjects(), []);
    });

    test('exactly the cap is accepted', async () => {
      const id = randomUUID();
      const staged = await store.stage(id, Readable.from([randomBytes(1000)]), { maxBytes: 1000 });
      assert.equal(staged.size, 1000);
      await staged.abort();
    });

    test('a source that fails midway (client disconnect) rejects and leaves nothing', async () => {
      const id = randomUUID();
      await assert.rejects(store.stage(id, generated({ chunks: 100, size: 64 * 1024, failAfter: 10 }), NO_LIMIT), { code: 'ECONNRESET' });
      await assert.rejects(store.open(id), NotFound);
      assert.deepEqual(await harness.listObjects(), []);
    });

    test('delete is idempotent; open of a missing image is NotFound', async () => {
      const id = randomUUID();
      const staged = await store.stage(id, Readable.from([Buffer.from('x')]), NO_LIMIT);
      await staged.commit();
      await store.delete(id);
      await store.delete(id);
      await assert.rejects(store.open(id), NotFound);
      await assert.rejects(store.open(randomUUID()), NotFound);
      assert.deepEqual(await harness.listObjects(), []);
    });

    test('a 64 MiB image streams: live memory stays far below its size', async () => {
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
      const staged = await store.stage(id, source, NO_LIMIT);
      assert.equal(staged.size, 64 * MiB);
      assert.ok(peak < 16 * MiB, `live buffers grew by ${peak} bytes while staging 64 MiB`);
      await staged.abort();
    });
  });
}

runImageStoreContract({
  name: 'filesystem',
  create: async () => {
    const directory = await mkdtemp(join(tmpdir(), 'nimbus-image-store-'));
    return {
      store: new FilesystemImageStore(directory),
      listObjects: async () => {
        const staged = await readdir(join(directory, '.staging')).catch(() => []);
        const committed = (await readdir(directory)).filter((name) => name !== '.staging');
        return [...staged.map((name) => `.staging/${name}`), ...committed];
      },
      dispose: () => rm(directory, { recursive: true, force: true }),
    };
  },
});
