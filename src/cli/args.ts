/** A command line the user got wrong: main prints the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  /** Takes a value (`--port 8770` or `--port=8770`) or is a switch (`--debug`). */
  readonly takesValue: boolean;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: ReadonlyMap<string, string>;
}

/** Parses `args` against the flags a command accepts; anything else is a UsageError. */
export function parseArgs(args: readonly string[], accepted: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = accepted[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (!spec.takesValue) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, 'true');
      continue;
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positionals, flags };
}
