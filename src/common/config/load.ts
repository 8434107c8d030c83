import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { StartupError } from '../errors/errors.js';
import { parseIni, type IniEntry } from './ini.js';
import { OPTIONS, STORE_OPTIONS, parseBackends, type NimbusConfig, type OptionSpec, type ResolvedSoFar, type SectionName, type StoreOptions } from './options.js';

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

/**
 * Reads the file's options into `into`; the entries of sections that are no fixed section go to
 * `other` by section (image store sections, checked once enabled_backends is known).
 */
function readFileCandidates(path: string, into: Map<string, Candidate>, other: Map<string, IniEntry[]>): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StartupError(`Cannot read config file ${path}: ${(err as Error).message}`);
  }
  for (const entry of parseIni(text, path)) {
    if (!isSection(entry.section)) {
      other.set(entry.section, [...(other.get(entry.section) ?? []), entry]);
      continue;
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
  const otherSections = new Map<string, IniEntry[]>();

  const file = sources.file ?? env['NIMBUS_CONFIG'] ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file !== undefined) readFileCandidates(file, candidates, otherSections);

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
      values[key] = resolveOption(spec, candidates.get(`${section}.${key}`), resolved, `[${section}] ${key}`);
    }
  }
  const stores = resolveStoreSections(resolved, otherSections, file ?? '');
  return Object.freeze({ ...resolved, stores }) as unknown as NimbusConfig;
}

/** One option's value: its candidate parsed, or its default (computed from what is resolved so far). */
function resolveOption(spec: OptionSpec<unknown>, candidate: Candidate | undefined, resolved: ResolvedSoFar, name: string): unknown {
  if (candidate === undefined) return expandHome('value' in spec.default ? spec.default.value : spec.default.compute(resolved));
  try {
    return expandHome(spec.parse(candidate.text));
  } catch (err) {
    throw new StartupError(`Invalid config: ${name} (${candidate.origin}): ${(err as Error).message}`);
  }
}

/**
 * Each image store's section (glance_store's per-backend groups): `[<id>]` for every id of
 * `[DEFAULT] enabled_backends`. A section that names no store is unknown, as any other.
 */
function resolveStoreSections(resolved: ResolvedSoFar, sections: Map<string, IniEntry[]>, path: string): Record<string, StoreOptions> {
  const ids = parseBackends(String(resolved['DEFAULT']?.['enabled_backends'])).map((backend) => backend.id);
  for (const [section, entries] of sections) {
    if (!ids.includes(section)) throw new StartupError(`Invalid config: ${path} line ${entries[0]?.line ?? 0}: unknown section [${section}]`);
  }
  const defaultBackend = String(resolved['glance_store']?.['default_backend']);
  if (defaultBackend !== '' && !ids.includes(defaultBackend)) {
    throw new StartupError(`Invalid config: [glance_store] default_backend: "${defaultBackend}" is not a store of [DEFAULT] enabled_backends`);
  }
  const stores: Record<string, StoreOptions> = {};
  for (const id of ids) {
    const given = new Map((sections.get(id) ?? []).map((entry) => [entry.key, entry]));
    const values: Record<string, unknown> = {};
    const context = { ...resolved, store: { id } };
    for (const [key, spec] of Object.entries(STORE_OPTIONS) as [string, OptionSpec<unknown>][]) {
      const entry = given.get(key);
      given.delete(key);
      values[key] = resolveOption(spec, entry === undefined ? undefined : { text: entry.value, origin: `${path} line ${entry.line}` }, context, `[${id}] ${key}`);
    }
    const unknown = [...given.values()][0];
    if (unknown !== undefined) throw new StartupError(`Invalid config: ${path} line ${unknown.line}: unknown option "${unknown.key}" in section [${id}]`);
    stores[id] = values as StoreOptions;
  }
  return stores;
}

/** The base URL clients use, derived from [api] when public_url is not set. */
export function publicUrl(config: NimbusConfig, boundPort?: number): string {
  if (config.api.public_url !== '') return config.api.public_url.replace(/\/+$/, '');
  return `http://${config.api.bind_host}:${boundPort ?? config.api.port}`;
}
