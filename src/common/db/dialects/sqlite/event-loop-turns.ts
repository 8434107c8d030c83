/**
 * better-sqlite3 answers synchronously, so a chain of awaited queries settles in microtasks and
 * never gives the event loop a turn: under load (50 clients booting servers) such chains ran for
 * seconds back to back, and a new TCP connection waited in the accept queue all that time.
 * `takeTurn()`, awaited before each query takes the connection, lets the loop poll (accept,
 * read sockets, fire timers) once queries have run for SLICE_MS without a break.
 *
 * Chains take their steps one at a time (a step: from the query until the chain waits again) and
 * queue here meanwhile; once the slice is spent the rest wait for the next turn. Letting every
 * chain that asked run its step (all resumed at once, or all admitted before any had run) made
 * a turn as long as the number of chains in flight allowed: hundreds during 1,000 boots, turns of
 * 100–500 ms, which a new connection waited.
 */

/**
 * How long queries may run back to back before the event loop gets a turn. A fresh connection
 * waits about two loop iterations (accepted in one, read and answered in the next) and each
 * iteration holds a slice besides its other work: 2 ms rather than 5 took the fresh-connection
 * GET / p50 under 300 boots from 12–17 to 8–12 ms at the same CPU per boot (its p99 follows
 * the time other load keeps the process off the CPU); 1 ms slowed the boots
 * (bench/figures/compute-under-load.json).
 */
const SLICE_MS = 2;

/** When the current run of queries began; a run ends when the loop reaches its check phase. */
let runStarted = 0;
let running = false;
/** A chain's step is under way (until the microtask queue is empty). */
let stepping = false;

/** Chains waiting for their step, oldest first. */
const waiting: (() => void)[] = [];
let resumeScheduled = false;

function endRun(): void {
  running = false;
}

function startRun(): void {
  running = true;
  runStarted = performance.now();
  setImmediate(endRun);
}

/**
 * Lets one chain take its step. A tick queued from a microtask runs once the microtask queue is
 * empty, i.e. when the step is done (or waits on I/O); then the next chain may go.
 */
function admit(): void {
  stepping = true;
  queueMicrotask(() => process.nextTick(endStep));
}

function endStep(): void {
  stepping = false;
  if (waiting.length === 0) return;
  if (performance.now() - runStarted >= SLICE_MS) {
    scheduleResume();
    return;
  }
  admit();
  waiting.shift()?.();
}

function scheduleResume(): void {
  if (resumeScheduled) return;
  resumeScheduled = true;
  setImmediate(() => {
    resumeScheduled = false;
    startRun();
    if (stepping || waiting.length === 0) return;
    admit();
    waiting.shift()?.();
  });
}

export async function takeTurn(): Promise<void> {
  if (!running) startRun();
  const spent = performance.now() - runStarted >= SLICE_MS;
  if (!spent && !stepping && waiting.length === 0) {
    admit();
    return;
  }
  if (spent) scheduleResume();
  await new Promise<void>((resolve) => waiting.push(resolve));
}
