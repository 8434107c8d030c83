import { renderConfigDocs } from '../../common/config/docs.js';
import { UsageError } from '../args.js';

/** `nimbus config-docs`: prints docs/CONFIG.md from the option table. */
export function configDocsCommand(argv: readonly string[]): Promise<void> {
  if (argv.length > 0) return Promise.reject(new UsageError('config-docs takes no arguments'));
  process.stdout.write(renderConfigDocs());
  return Promise.resolve();
}
