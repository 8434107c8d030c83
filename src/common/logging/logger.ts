import { currentContext } from '../context/request-context.js';
import { formatRecord, LEVELS, type Level, type LogRecord } from './format.js';
import { redactTokens } from './token-redaction.js';

/** Where formatted lines go; stderr by default, a collector in tests. */
export type LogSink = (line: string, record: LogRecord) => void;

export interface LogFields {
  /** The instance the line is about: printed as `[instance: <uuid>]`. */
  readonly instance?: string;
  /** An error whose stack is appended, as oslo.log's `LOG.exception` does. */
  readonly error?: unknown;
}

interface LoggingState {
  threshold: number;
  sink: LogSink;
}

const stderrSink: LogSink = (line) => {
  process.stderr.write(line + '\n');
};

const state: LoggingState = { threshold: LEVELS.indexOf('INFO'), sink: stderrSink };

/** Sets the global level and sink (the `--debug` flag lands here). */
export function configureLogging(options: { debug?: boolean; sink?: LogSink }): void {
  if (options.debug !== undefined) state.threshold = LEVELS.indexOf(options.debug ? 'DEBUG' : 'INFO');
  if (options.sink) state.sink = options.sink;
}

export function isDebugEnabled(): boolean {
  return state.threshold <= LEVELS.indexOf('DEBUG');
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = error.stack ?? `${error.name}: ${error.message}`;
    return error.cause === undefined ? stack : `${stack}\nCaused by: ${describeError(error.cause)}`;
  }
  return String(error);
}

export class Logger {
  constructor(readonly module: string) {}

  debug(message: string, fields?: LogFields): void {
    this.log('DEBUG', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('INFO', message, fields);
  }
  warning(message: string, fields?: LogFields): void {
    this.log('WARNING', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('ERROR', message, fields);
  }
  critical(message: string, fields?: LogFields): void {
    this.log('CRITICAL', message, fields);
  }

  log(level: Level, message: string, fields: LogFields = {}): void {
    if (LEVELS.indexOf(level) < state.threshold) return;
    // Whatever a message quotes (an error, a bus envelope), a whole token never reaches the log.
    const text = redactTokens(fields.error === undefined ? message : `${message}\n${describeError(fields.error)}`);
    const record: LogRecord = {
      time: new Date(),
      pid: process.pid,
      level,
      module: this.module,
      context: currentContext(),
      instance: fields.instance,
      message: text,
    };
    state.sink(formatRecord(record), record);
  }
}

/** A logger named like a Python module path: `nimbus.compute.api`, `nimbus.common.bus`. */
export function getLogger(module: string): Logger {
  return new Logger(module);
}
