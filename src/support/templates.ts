/**
 * Every text the bot says, from `config/templates/<language>.yaml`. The code knows only
 * keys and the named placeholders each key takes (TEMPLATE_PARAMS); loading checks that
 * the default language has every key, that no file has an unknown key, and that each
 * text uses exactly its key's placeholders, so a translation cannot silently drop the
 * queue position or invent a placeholder nobody fills. A key missing from another
 * language falls back to the default language (and is listed in `missing`).
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { readYaml, SupportDataError, yamlFilesIn } from './files.ts';

export const TEMPLATE_PARAMS = {
  'language.self': [],
  greeting: ['org'],
  help: ['org'],
  'error.generic': [],
  'button.solved': [],
  'button.human': [],
  'button.skip': [],
  'faq.answer': ['title', 'answer'],
  'faq.solved': [],
  'clarify.question': ['items'],
  'clarify.item': ['index', 'title'],
  'clarify.nothing': [],
  'collect.intro': [],
  'collect.ask.accountId': [],
  'collect.ask.txHash': [],
  'collect.ask.amountTime': [],
  'collect.ask.errorText': [],
  'collect.ask.screenshot': [],
  'collect.invalid.accountId': [],
  'collect.invalid.txHash': [],
  'collect.invalid.amountTime': [],
  'collect.invalid.errorText': [],
  'collect.invalid.screenshot': [],
  'collect.secret-removed': [],
  'collect.done': [],
  'secrets.never-ask': [],
  'handoff.queued': ['position', 'minutes'],
  'handoff.queued-no-eta': ['position'],
  'handoff.eta-update': ['position', 'minutes'],
  'handoff.urgent': [],
  'hours.closed': ['next'],
  'hours.closed-no-schedule': [],
  'agent.joined': ['agent'],
  'agent.silent-bot-resumes': [],
  'conversation.resolved': [],
  'conversation.reopened': ['ticket'],
  'ticket.created': ['ticket'],
  'ticket.status': ['ticket', 'status'],
  'ticket.none': [],
  'ticket.continued': ['ticket', 'channel'],
  'ticket.not-found': ['ticket'],
  'status.open': [],
  'status.pending': [],
  'status.snoozed': [],
  'status.resolved': [],
  'csat.prompt': [],
  'csat.button': ['score'],
  'csat.comment': [],
  'csat.thanks': [],
  'transcript.intro': ['ticket', 'count'],
  'transcript.line': ['time', 'author', 'text'],
  'transcript.author.user': [],
  'transcript.author.bot': [],
  'transcript.author.agent': [],
  'flood.slow-down': [],
  'language.changed': ['language'],
  'language.unknown': ['options'],
  'trust.secret-shield': [],
  'trust.flagged': ['entity'],
  'trust.lookalike': ['entity', 'official'],
  'trust.scam-script': [],
  'verify.message': ['org', 'where', 'accounts', 'promises', 'code', 'checkUrl'],
  'verify.account-line': ['channel', 'handle'],
  'verify.promise.never-dm-first': [],
  'verify.promise.never-ask-secret': [],
  'verify.promise.never-ask-funds': [],
  'verify.promise.never-call': [],
  'verify.code-valid': ['code', 'issuedAt', 'where'],
  'verify.code-unknown': ['code'],
  'check.official': ['entity'],
  'check.flagged': ['entity'],
  'check.lookalike': ['entity', 'official'],
  'check.unknown': ['entity'],
  'check.nothing': [],
  'report.usage': [],
  'report.received': [],
} as const satisfies Record<string, readonly string[]>;

export type TemplateKey = keyof typeof TEMPLATE_PARAMS;
type ParamNames<K extends TemplateKey> = (typeof TEMPLATE_PARAMS)[K][number];
export type TemplateParams<K extends TemplateKey> = { [P in ParamNames<K>]: string | number };
type RenderArgs<K extends TemplateKey> = [ParamNames<K>] extends [never] ? [] : [params: TemplateParams<K>];

export function isTemplateKey(key: string): key is TemplateKey {
  return Object.hasOwn(TEMPLATE_PARAMS, key);
}

const PLACEHOLDER = /\{\{|\}\}|\{([A-Za-z][A-Za-z0-9_]*)\}/g;

export function placeholders(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) if (m[1]) out.add(m[1]);
  return out;
}

type Nested = string | { [key: string]: Nested };
const NestedText: z.ZodType<Nested> = z.lazy(() =>
  z.union([z.string().min(1), z.record(z.string(), NestedText)]),
);
const TemplateFile = z.record(z.string(), NestedText);

function flatten(
  node: Record<string, Nested>,
  prefix = '',
  out = new Map<string, string>(),
): Map<string, string> {
  for (const [k, v] of Object.entries(node)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v.replace(/\n+$/, ''));
    else flatten(v, key, out);
  }
  return out;
}

export interface TemplateOptions {
  defaultLanguage: string;
}

export class Templates {
  /** Keys a language lacks (rendered in the default language instead). */
  readonly missing: ReadonlyArray<{ language: string; key: TemplateKey }>;

  private constructor(
    private readonly texts: ReadonlyMap<string, ReadonlyMap<string, string>>,
    readonly defaultLanguage: string,
  ) {
    const missing: Array<{ language: string; key: TemplateKey }> = [];
    for (const [language, map] of texts) {
      for (const key of Object.keys(TEMPLATE_PARAMS)) {
        if (!map.has(key) && isTemplateKey(key)) missing.push({ language, key });
      }
    }
    this.missing = missing;
  }

  static load(dir: string, options: TemplateOptions): Templates {
    const files = yamlFilesIn(dir).map((path) => ({
      language: basename(path).replace(/\.ya?ml$/, ''),
      file: path,
      data: readYaml(path),
    }));
    return Templates.fromData(files, options);
  }

  static fromData(
    files: ReadonlyArray<{ language: string; file?: string; data: unknown }>,
    options: TemplateOptions,
  ): Templates {
    const texts = new Map<string, Map<string, string>>();
    for (const { language, file, data } of files) {
      const where = file ?? `${language}.yaml`;
      const parsed = TemplateFile.safeParse(data);
      if (!parsed.success) throw new SupportDataError(where, z.prettifyError(parsed.error).split('\n'));
      const map = flatten(parsed.data);
      const problems = checkTexts(map);
      if (language === options.defaultLanguage) {
        for (const key of Object.keys(TEMPLATE_PARAMS)) {
          if (!map.has(key)) problems.push(`${key}: missing (the default language needs every key)`);
        }
      }
      if (problems.length > 0) throw new SupportDataError(where, problems);
      texts.set(language, map);
    }
    if (!texts.has(options.defaultLanguage)) {
      throw new SupportDataError(`${options.defaultLanguage}.yaml`, [
        'no templates for the default language',
      ]);
    }
    return new Templates(texts, options.defaultLanguage);
  }

  languages(): string[] {
    return [...this.texts.keys()];
  }

  has(language: string): boolean {
    return this.texts.has(language);
  }

  render<K extends TemplateKey>(key: K, language: string, ...args: RenderArgs<K>): string {
    const text = this.texts.get(language)?.get(key) ?? this.texts.get(this.defaultLanguage)?.get(key) ?? key;
    const params: Record<string, string | number> = args[0] ?? {};
    return text.replace(PLACEHOLDER, (whole, name: string | undefined) => {
      if (whole === '{{') return '{';
      if (whole === '}}') return '}';
      const value = name === undefined ? undefined : params[name];
      return value === undefined ? whole : String(value);
    });
  }
}

function checkTexts(map: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, text] of map) {
    if (!isTemplateKey(key)) {
      problems.push(`${key}: unknown key`);
      continue;
    }
    const declared: readonly string[] = TEMPLATE_PARAMS[key];
    const used = placeholders(text);
    for (const name of used) {
      if (!declared.includes(name)) {
        problems.push(`${key}: unknown placeholder {${name}} (allowed: ${declared.join(', ') || 'none'})`);
      }
    }
    for (const name of declared) {
      if (!used.has(name)) problems.push(`${key}: placeholder {${name}} is missing`);
    }
  }
  return problems;
}
