import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { StartupError } from '../errors/errors.js';
import { parseIni } from './ini.js';
import { OPTIONS, type NimbusConfig, type OptionSpec, type SectionName } from './options.js';

/** Option values as text, keyed by section then key (the shape flags and env vars arrive in). */
export type RawOptions = Partial<Record<SectionName, Record<string, string>>>;

export interface ConfigSources {
  /** Config file path; when absent /etc/nimbus/nimbus.conf is read if it exists. */
  readonly file?: string;
  /** Environment (NIMBUS_<SECTION>_<KEY>, NIMBUS_<KEY> for [DEFAULT]); defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Command-line flags, the highest precedence. */
  readonly flags?: RawOptions;
}

export const DEFAULT_CONFIG_FILE = '/etc/nimbus/nimbus.conf';

interface Candidate {
  readonly text: string;
  readonly origin: string;
}

function envName(section: SectionName, key: string): string {
  return (section === 'DEFAULT' ? `NIMBUS_${key}` : `NIMBUS_${section}_${key}`).toUpperCase();
}

function sectionSpecs(section: SectionName): Record<string, OptionSpec<unknown>> {
  return OPTIONS[section];
}

function isSection(name: string): name is SectionName {
  return Object.hasOwn(OPTIONS, name);
}

function readFileCandidates(path: string, into: Map<string, Candidate>): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StartupError(`Cannot read config file ${path}: ${(err as Error).message}`);
  }
  for (const entry of parseIni(text, path)) {
    if (!isSection(entry.section)) {
      throw new StartupError(`Invalid config: ${path} line ${entry.line}: unknown section [${entry.section}]`);
    }
    if (!Object.hasOwn(sectionSpecs(entry.section), entry.key)) {
      throw new StartupError(
        `Invalid config: ${path} line ${entry.line}: unknown option "${entry.key}" in section [${entry.section}]`,
      );
    }
    into.set(`${entry.section}.${entry.key}`, { text: entry.value, origin: `${path} line ${entry.line}` });
  }
}

function expandHome(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith('~/') ? homedir() + value.slice(1) : value;
}

/**
 * Resolves the configuration: code defaults < config file < environment < flags. Unknown sections
 * or keys in the file, and any value that does not parse, stop start-up with the key named.
 */
export function loadConfig(sources: ConfigSources = {}): NimbusConfig {
  const env = sources.env ?? process.env;
  const candidates = new Map<string, Candidate>();

  const file = sources.file ?? env['NIMBUS_CONFIG'] ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file !== undefined) readFileCandidates(file, candidates);

  for (const section of Object.keys(OPTIONS) as SectionName[]) {
    for (const key of Object.keys(sectionSpecs(section))) {
      const name = envName(section, key);
      const value = env[name];
      if (value !== undefined) candidates.set(`${section}.${key}`, { text: value, origin: `environment ${name}` });
    }
  }

  for (const [section, values] of Object.entries(sources.flags ?? {}) as [SectionName, Record<string, string>][]) {
    for (const [key, text] of Object.entries(values)) {
      candidates.set(`${section}.${key}`, { text, origin: 'command line' });
    }
  }

  const resolved: Record<string, Record<string, unknown>> = {};
  for (const section of Object.keys(OPTIONS) as SectionName[]) {
    const values: Record<string, unknown> = {};
    resolved[section] = values;
    for (const [key, spec] of Object.entries(sectionSpecs(section))) {
      const candidate = candidates.get(`${section}.${key}`);
      if (candidate === undefined) {
        values[key] = expandHome('value' in spec.default ? spec.default.value : spec.default.compute(resolved));
        continue;
      }
      try {
        values[key] = expandHome(spec.parse(candidate.text));
      } catch (err) {
        throw new StartupError(`Invalid config: [${section}] ${key} (${candidate.origin}): ${(err as Error).message}`);
      }
    }
  }
  return Object.freeze(resolved) as unknown as NimbusConfig;
}

/** The base URL clients use, derived from [api] when public_url is not set. */
export function publicUrl(config: NimbusConfig, boundPort?: number): string {
  if (config.api.public_url !== '') return config.api.public_url.replace(/\/+$/, '');
  return `http://${config.api.bind_host}:${boundPort ?? config.api.port}`;
}
