import { StartupError } from '../common/errors/errors.js';
import { getLogger } from '../common/logging/logger.js';
import { UsageError } from './args.js';
import { bootstrapCommand } from './commands/bootstrap.js';
import { computeAgentCommand } from './commands/compute-agent.js';
import { configDocsCommand } from './commands/config-docs.js';
import { dbCommand } from './commands/db-sync.js';
import { fernetCommand } from './commands/fernet.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { USAGE } from './usage.js';

type Command = (argv: readonly string[]) => Promise<void>;

const COMMANDS: Readonly<Record<string, Command>> = {
  up: upCommand,
  serve: serveCommand,
  'compute-agent': computeAgentCommand,
  db: dbCommand,
  bootstrap: bootstrapCommand,
  fernet: fernetCommand,
  status: statusCommand,
  'config-docs': configDocsCommand,
};

/** Exit codes: 0 done, 1 failed (start-up error or a failure at run time), 2 usage error. */
async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  try {
    if (command === undefined) throw new UsageError(name === undefined ? 'no command given' : `unknown command "${name}"`);
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
