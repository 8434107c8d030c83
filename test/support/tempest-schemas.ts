import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
/** The checker beside this file's source (dist/test/support → test/support). */
const CHECKER = fileURLToPath(new URL('../../../test/support/tempest_schema_check.py', import.meta.url));
const TEMPEST_MISSING = 3;

/** Which Tempest schema a response must pass: the one a compute service client picks for the version, or a fixed compute or volume module's. */
export type TempestSchema =
  | { readonly client: string; readonly attr: string }
  | { readonly module: string; readonly attr: string }
  /** A module of tempest.lib.api_schema.response.volume (Cinder 3.0's schemas). */
  | { readonly volumeModule: string; readonly attr: string };

/** One recorded response and the schema Tempest would check it with. */
export interface TempestCase {
  readonly name: string;
  readonly version: string;
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly schema: TempestSchema;
}

/** Per case: null when Tempest's schema accepts the response, else Tempest's complaint. */
export type TempestVerdicts = ReadonlyMap<string, string | null>;

/**
 * Runs every case through Tempest's RestClient.validate_response in one Python process (Debian's
 * python3 with tempest and python3-jsonschema). Resolves to a reason string when Tempest is not
 * installed, so the test can skip and say so.
 */
export function checkWithTempest(cases: readonly TempestCase[]): Promise<TempestVerdicts | string> {
  if (!existsSync(PYTHON)) return Promise.resolve(skipped(`${PYTHON} not found`));
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, [CHECKER], { timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error !== null && error.code === TEMPEST_MISSING) {
        resolve(skipped('tempest is not installed for /usr/bin/python3 (apt-get install tempest)'));
        return;
      }
      if (error !== null) {
        reject(new Error(`tempest schema check failed: ${stderr || error.message}`));
        return;
      }
      const verdicts = JSON.parse(stdout) as { name: string; error: string | null }[];
      resolve(new Map(verdicts.map((verdict) => [verdict.name, verdict.error])));
    });
    child.stdin?.end(JSON.stringify(cases));
  });
}

function skipped(reason: string): string {
  const message = `${reason}: Tempest response schema checks are SKIPPED`;
  process.stderr.write(`\n*** ${message}\n\n`);
  return message;
}
