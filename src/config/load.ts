/**
 * Loading: read the YAML file, read `.env` beside the working directory, lay the
 * environment over the file, validate once. Secrets (tokens, passwords) are read from the
 * environment by the piece that needs them and never copied into the config object, so
 * printing or logging the config can never leak one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { VerityError } from '../core/errors.ts';
import { VerityConfig } from './schema.ts';

export const DEFAULT_CONFIG_PATH = 'config/verity.yaml';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigProblem {
  path: string;
  expected: string;
  found: string;
}

export class ConfigError extends VerityError {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      'CONFIG_INVALID',
      `${file}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p.path}: expected ${p.expected}, found ${p.found}`).join('\n')}`,
      { file },
    );
  }
}

export interface LoadedConfig {
  config: VerityConfig;
  env: Env;
  file: string;
}

/** process.env over `.env` (a real environment variable always wins). */
export function loadEnv(cwd = process.cwd(), base: Env = process.env): Env {
  const dotenv = resolve(cwd, '.env');
  const fromFile = existsSync(dotenv) ? parseEnv(readFileSync(dotenv, 'utf8')) : {};
  return { ...fromFile, ...base };
}

export function loadConfig(file = DEFAULT_CONFIG_PATH, env: Env = loadEnv()): LoadedConfig {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new ConfigError(file, [
      { path: '(file)', expected: 'a readable YAML file', found: 'no such file' },
    ]);
  }
  return { config: parseConfigText(readFileSync(path, 'utf8'), file, env), env, file: path };
}

export function parseConfigText(text: string, file: string, env: Env = {}): VerityConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)',
        expected: 'valid YAML',
        found: e.message.split('\n')[0] ?? e.code,
      })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const secrets = secretsInFile(raw);
  if (secrets.length > 0) throw new ConfigError(file, secrets);
  const merged = applyEnv(isRecord(raw) ? raw : { '(root)': raw }, env);
  const result = VerityConfig.safeParse(merged, { reportInput: true });
  if (!result.success) throw new ConfigError(file, describeIssues(result.error.issues));
  return result.data;
}

/**
 * Settings an operator commonly sets per deployment without editing the file; a `secret`
 * one may come from the environment only.
 */
const ENV_OVERRIDES: ReadonlyArray<[string, string[], (v: string) => unknown, 'secret'?]> = [
  ['REDIS_URL', ['redis', 'url'], String],
  ['VERITY_REDIS_PREFIX', ['redis', 'keyPrefix'], String],
  ['REDIS_USERNAME', ['redis', 'username'], String],
  ['REDIS_PASSWORD', ['redis', 'password'], String, 'secret'],
  ['REDIS_SENTINEL_PASSWORD', ['redis', 'sentinel', 'password'], String, 'secret'],
  ['LOG_LEVEL', ['log', 'level'], String],
  ['VERITY_INBOX_HOST', ['inbox', 'host'], String],
  ['VERITY_INBOX_PORT', ['inbox', 'port'], Number],
  ['VERITY_PUBLIC_URL', ['inbox', 'publicUrl'], String],
];

/** Passwords come from the environment only, so a configuration file can be shared and committed. */
const SECRETS = ENV_OVERRIDES.filter(([, , , kind]) => kind === 'secret');

function secretsInFile(raw: unknown): ConfigProblem[] {
  return SECRETS.flatMap(([variable, path]) => {
    let node: unknown = raw;
    for (const key of path) node = isRecord(node) ? node[key] : undefined;
    return node === undefined
      ? []
      : [
          {
            path: path.join('.'),
            expected: `unset here: a secret, set ${variable} in the environment`,
            found: 'a value',
          },
        ];
  });
}

function applyEnv(raw: Record<string, unknown>, env: Env): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const [name, path, convert] of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let node: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      const child = isRecord(next) ? next : {};
      node[key] = child;
      node = child;
    }
    node[path.at(-1)!] = convert(value);
  }
  return out;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      return issue.errors.flatMap((branch) =>
        describeIssues(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))),
      );
    }
    return [
      {
        path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
        expected: expectedOf(issue),
        found: foundOf(issue),
      },
    ];
  });
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return 'no other keys';
    case 'too_small':
      return issue.message.replace(/^Too small: expected /, '');
    case 'too_big':
      return issue.message.replace(/^Too big: expected /, '');
    default:
      return issue.message;
  }
}

function foundOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return issue.keys.join(', ');
  if (!('input' in issue)) return 'nothing';
  const input = issue.input;
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return `an array of ${input.length}`;
  if (typeof input === 'object') return 'an object';
  const shown = JSON.stringify(input);
  return `${typeof input} ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
