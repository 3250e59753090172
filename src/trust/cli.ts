/**
 * The `verity trust …` commands as functions over parsed arguments; the CLI wiring only
 * parses argv, calls these and prints what they return. Output never contains a secret.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { OfficialConfig } from '../config/sections/official.ts';
import { InvalidInputError } from '../core/errors.ts';
import type { Entity } from '../core/model.ts';
import { checkText } from './check.ts';
import type { CodeCheck, CodeHolder, VerificationCodes } from './codes.ts';
import type { ScamRegistry } from './registry.ts';
import type { FlagEntry, FlagKind, RegistryIndex } from './registry-index.ts';
import { parseRegistryFile, toCsv, toJson } from './registry-io.ts';
import { TrustScanner } from './scanner.ts';

/** A YAML or JSON file holding the `official` section (with or without the `official:` key). */
export async function loadOfficialFile(path: string): Promise<OfficialConfig> {
  const text = await readFile(path, 'utf8');
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new InvalidInputError(path, error instanceof Error ? error.message : 'not YAML or JSON');
  }
  const wrapped = z.object({ official: z.unknown() }).safeParse(data);
  const parsed = OfficialConfig.safeParse(wrapped.success ? wrapped.data.official : data);
  if (!parsed.success) throw new InvalidInputError(path, z.prettifyError(parsed.error));
  return parsed.data;
}

export interface TrustCheckArgs {
  /** One text, or (for `-`) one text per line. */
  text?: string;
  stdinLines?: AsyncIterable<string> | Iterable<string>;
  /** `--official FILE`: replaces the configured registry. */
  officialFile?: string;
  /** The configured `official` section, used without `--official`. */
  official?: OfficialConfig;
  /** The scam registry's in-memory copy, when one is loaded. */
  registry?: RegistryIndex;
  json: boolean;
  write: (line: string) => void;
}

export interface CheckOutput {
  text: string;
  entities: Entity[];
}

function describe(e: Entity): string {
  const target = e.target ? ` → ${e.target}` : '';
  const confidence = e.confidence ? ` (${e.confidence})` : '';
  const reasons = e.reasons.map((r) => `\n    - ${r}`).join('');
  return `  ${e.kind} ${e.value}: ${e.verdict}${confidence}${target}${reasons}`;
}

/** `verity trust check`. Returns how many texts had a flagged or lookalike entity. */
export async function trustCheck(args: TrustCheckArgs): Promise<number> {
  const official = args.officialFile ? await loadOfficialFile(args.officialFile) : args.official;
  if (!official)
    throw new InvalidInputError(
      'trust check',
      'no official registry: pass --official FILE or configure `official`',
    );
  const scanner = new TrustScanner(official, args.registry);
  let alarming = 0;
  const one = (text: string): void => {
    const result = checkText(scanner, text);
    const output: CheckOutput = { text: result.text, entities: result.entities };
    if (result.entities.some((e) => e.verdict === 'flagged' || e.verdict === 'lookalike')) alarming++;
    if (args.json || args.stdinLines) args.write(JSON.stringify(output));
    else
      args.write(
        [
          result.text,
          ...(result.entities.length ? result.entities.map(describe) : ['  (nothing found)']),
        ].join('\n'),
      );
  };
  if (args.text !== undefined) one(args.text);
  if (args.stdinLines) for await (const line of args.stdinLines) if (line.trim() !== '') one(line);
  return alarming;
}

export interface FlagArgs {
  kind: FlagKind;
  value: string;
  reason: string;
  by: string;
  evidence?: string;
  channel?: string;
}

export async function trustFlag(registry: ScamRegistry, args: FlagArgs): Promise<string> {
  const entry = await registry.flag(args);
  return `flagged ${entry.kind} ${entry.value}: ${entry.reason}`;
}

export async function trustUnflag(
  registry: ScamRegistry,
  args: { kind: FlagKind; value: string; by: string; reason?: string; channel?: string },
): Promise<string> {
  return (await registry.unflag(args))
    ? `unflagged ${args.kind} ${args.value}`
    : `${args.kind} ${args.value} was not flagged`;
}

export async function trustList(
  registry: ScamRegistry,
  args: { kind?: FlagKind; json: boolean },
): Promise<string[]> {
  const entries = await registry.list(args.kind);
  if (args.json) return entries.map((e) => JSON.stringify(e));
  return entries.map((e) => `${e.kind}\t${e.value}\t${new Date(e.at).toISOString()}\t${e.by}\t${e.reason}`);
}

export async function trustImport(
  registry: ScamRegistry,
  args: { file: string; by: string },
): Promise<string> {
  const entries: FlagEntry[] = parseRegistryFile(await readFile(args.file, 'utf8'), {
    by: args.by,
    at: Date.now(),
  });
  return `imported ${await registry.import(entries, args.by)} entries`;
}

export async function trustExport(registry: ScamRegistry, args: { format: 'json' | 'csv' }): Promise<string> {
  const entries = await registry.list();
  return args.format === 'csv' ? toCsv(entries) : toJson(entries);
}

/** `verity trust verify-code CODE --channel C --user ID`. */
export function trustVerifyCode(
  codes: VerificationCodes,
  args: { code: string } & CodeHolder,
): { result: CodeCheck; message: string } {
  const result = codes.verify(args.code, args);
  const message =
    result.status === 'issued'
      ? `issued by us to ${args.channel}:${args.userId} on ${new Date(result.issuedAt).toISOString()}`
      : result.status === 'expired'
        ? `issued by us on ${new Date(result.issuedAt).toISOString()}, but expired`
        : 'not issued by us to this user: you are probably talking to an impersonator';
  return { result, message };
}
