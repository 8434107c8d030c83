import { createWriteStream } from 'node:fs';
import type { NimbusConfig } from '../../common/config/options.js';
import { configureLogging } from '../../common/logging/logger.js';

/** Applies [DEFAULT] debug and log_file: lines go to stderr and, when set, to the file too. */
export function setUpLogging(config: NimbusConfig): void {
  if (config.DEFAULT.log_file === '') {
    configureLogging({ debug: config.DEFAULT.debug });
    return;
  }
  const file = createWriteStream(config.DEFAULT.log_file, { flags: 'a' });
  configureLogging({
    debug: config.DEFAULT.debug,
    sink: (line) => {
      process.stderr.write(line + '\n');
      file.write(line + '\n');
    },
  });
}
