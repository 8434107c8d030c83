import type { RawOptions } from '../common/config/load.js';
import type { FlagSpec, ParsedArgs } from './args.js';

/** Flags every command that reads the configuration accepts. */
export const CONFIG_FLAGS: Readonly<Record<string, FlagSpec>> = {
  config: { takesValue: true },
  'state-dir': { takesValue: true },
  debug: { takesValue: false },
};

/** Flags of `serve`: a node with API listeners (and, serving compute, the conductor and scheduler). */
export const SERVE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...CONFIG_FLAGS,
  port: { takesValue: true },
  'bind-host': { takesValue: true },
};

/** Flags of `up`: every service, compute agents included. */
export const UP_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...SERVE_FLAGS,
  driver: { takesValue: true },
  'compute-hosts': { takesValue: true },
  datapath: { takesValue: true },
};

/** Flags of `compute-agent`: `--hosts N` agents compute-1 … compute-N (NAME-1 … NAME-N with `--host NAME`), or one named `--host`. */
export const COMPUTE_AGENT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...CONFIG_FLAGS,
  driver: { takesValue: true },
  hosts: { takesValue: true },
  host: { takesValue: true },
};

export const NETWORK_AGENT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...CONFIG_FLAGS,
  datapath: { takesValue: true },
  host: { takesValue: true },
};

/** Maps command-line flags onto config options, so flags are validated like any other source. */
export function flagsToOptions(args: ParsedArgs): RawOptions {
  const options: RawOptions = { DEFAULT: {}, api: {}, compute: {} };
  const set = (section: keyof RawOptions, key: string, flag: string) => {
    const value = args.flags.get(flag);
    if (value !== undefined) (options[section] ??= {})[key] = value;
  };
  set('DEFAULT', 'state_dir', 'state-dir');
  set('DEFAULT', 'debug', 'debug');
  set('DEFAULT', 'host', 'host');
  set('api', 'port', 'port');
  set('api', 'bind_host', 'bind-host');
  set('compute', 'driver', 'driver');
  set('compute', 'agents', 'compute-hosts');
  set('network', 'datapath', 'datapath');
  return options;
}
