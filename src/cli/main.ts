import { StartupError } from '../common/errors/errors.js';
import { getLogger } from '../common/logging/logger.js';
import { UsageError } from './args.js';
import { USAGE } from './usage.js';

type Command = (argv: readonly string[]) => Promise<void>;

/** Each command's module is loaded when it runs: `help` need not load the cloud, nor `db` its APIs. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  up: async () => (await import('./commands/up.js')).upCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  'compute-agent': async () => (await import('./commands/compute-agent.js')).computeAgentCommand,
  'network-agent': async () => (await import('./commands/network-agent.js')).networkAgentCommand,
  db: async () => (await import('./commands/db-sync.js')).dbCommand,
  bootstrap: async () => (await import('./commands/bootstrap.js')).bootstrapCommand,
  fernet: async () => (await import('./commands/fernet.js')).fernetCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  fault: async () => (await import('./commands/fault.js')).faultCommand,
  'config-docs': async () => (await import('./commands/config-docs.js')).configDocsCommand,
};

/** Exit codes: 0 done, 1 failed (start-up error or a failure at run time), 2 usage error. */
async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  const loadCommand = name === undefined ? undefined : COMMANDS[name];
  try {
    if (loadCommand === undefined) throw new UsageError(name === undefined ? 'no command given' : `unknown command "${name}"`);
    const command = await loadCommand();
    await command(rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`nimbus: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof StartupError) {
      process.stderr.write(`nimbus: ${err.message}\n`);
      return 1;
    }
    getLogger('nimbus.cli').critical('Unhandled error', { error: err });
    return 1;
  }
}

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
// Everything is closed by now; a handle some library left open must not keep the process alive.
setTimeout(() => process.exit(exitCode), 1000).unref();
