/**
 * QMP's wire format: one JSON object per line, in each direction. Commands carry an `id` that
 * the answer echoes; events arrive interleaved with answers at any time.
 */
import { QmpProtocolError } from './errors.js';

export type QmpArguments = Readonly<Record<string, unknown>>;

export interface QmpGreeting {
  readonly kind: 'greeting';
  readonly version: { readonly major: number; readonly minor: number; readonly micro: number };
}

export interface QmpReturn {
  readonly kind: 'return';
  readonly id: string | undefined;
  readonly value: unknown;
}

export interface QmpErrorReply {
  readonly kind: 'error';
  readonly id: string | undefined;
  readonly errorClass: string;
  readonly desc: string;
}

export interface QmpEvent {
  readonly kind: 'event';
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Seconds since the epoch, from QEMU's timestamp. */
  readonly timestamp: number;
}

export type QmpMessage = QmpGreeting | QmpReturn | QmpErrorReply | QmpEvent;

/** The line to send for a command. */
export function encodeCommand(id: string, execute: string, args?: QmpArguments): string {
  return `${JSON.stringify(args === undefined ? { execute, id } : { execute, arguments: args, id })}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(message: Record<string, unknown>): string | undefined {
  return typeof message['id'] === 'string' ? message['id'] : undefined;
}

/** One received line as a typed message. */
export function parseMessage(line: string): QmpMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new QmpProtocolError(`not JSON: ${line.slice(0, 200)}`);
  }
  if (!isRecord(parsed)) throw new QmpProtocolError(`not an object: ${line.slice(0, 200)}`);
  if (isRecord(parsed['QMP'])) {
    const version = isRecord(parsed['QMP']['version']) ? parsed['QMP']['version']['qemu'] : undefined;
    const numbers = isRecord(version) ? version : {};
    return {
      kind: 'greeting',
      version: { major: Number(numbers['major'] ?? 0), minor: Number(numbers['minor'] ?? 0), micro: Number(numbers['micro'] ?? 0) },
    };
  }
  if ('return' in parsed) return { kind: 'return', id: idOf(parsed), value: parsed['return'] };
  if (isRecord(parsed['error'])) {
    const { class: errorClass, desc } = parsed['error'];
    return { kind: 'error', id: idOf(parsed), errorClass: String(errorClass), desc: String(desc) };
  }
  if (typeof parsed['event'] === 'string') {
    const stamp = isRecord(parsed['timestamp']) ? parsed['timestamp'] : {};
    return {
      kind: 'event',
      event: parsed['event'],
      data: isRecord(parsed['data']) ? parsed['data'] : {},
      timestamp: Number(stamp['seconds'] ?? 0) + Number(stamp['microseconds'] ?? 0) / 1e6,
    };
  }
  throw new QmpProtocolError(`unknown message: ${line.slice(0, 200)}`);
}

/** Splits a byte stream into lines; a partial line waits for the rest. */
export class LineDecoder {
  #pending = '';

  push(chunk: string): string[] {
    const text = this.#pending + chunk;
    const lines = text.split('\n');
    this.#pending = lines.pop() ?? '';
    return lines.filter((line) => line.trim() !== '');
  }
}
