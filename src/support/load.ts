/**
 * Everything the support handlers read from disk, loaded and checked in one go at start:
 * the knowledge base (as a ready matcher) and the templates, for the deployment's
 * languages. A broken file fails here with a SupportDataError, before any user writes.
 */
import { resolve } from 'node:path';
import type { SupportConfig } from './config.ts';
import { loadKnowledgeBase } from './kb/load.ts';
import { KbMatcher } from './kb/matcher.ts';
import { Templates } from './templates.ts';

export interface SupportData {
  matcher: KbMatcher;
  templates: Templates;
}

export interface SupportLanguages {
  default: string;
  supported: readonly string[];
}

export function loadSupportData(
  config: SupportConfig,
  languages: SupportLanguages,
  root = process.cwd(),
): SupportData {
  const kb = loadKnowledgeBase(resolve(root, config.dirs.kb), { languages: languages.supported });
  return {
    matcher: new KbMatcher(kb, config.kb),
    templates: Templates.load(resolve(root, config.dirs.templates), { defaultLanguage: languages.default }),
  };
}
