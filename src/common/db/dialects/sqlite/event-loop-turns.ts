/**
 * better-sqlite3 answers synchronously, so a chain of awaited queries settles in microtasks and
 * never gives the event loop a turn: under load (50 clients booting servers) such chains ran for
 * seconds back to back, and a new TCP connection waited in the accept queue all that time.
 * `takeTurn()`, awaited before each query takes the connection, lets the loop poll (accept,
 * read sockets, fire timers) once queries have run for SLICE_MS without a break.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long queries may run back to back before the event loop gets a turn. */
const SLICE_MS = 5;

/** When the current run of queries began; a run ends when the loop reaches its check phase. */
let runStarted = 0;
let running = false;

function endRun(): void {
  running = false;
}

export async function takeTurn(): Promise<void> {
  const now = performance.now();
  if (!running) {
    running = true;
    runStarted = now;
    setImmediate(endRun);
    return;
  }
  if (now - runStarted >= SLICE_MS) await nextTurn();
}
