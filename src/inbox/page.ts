/**
 * The web page: sources under ./web, bundled once at start by esbuild (installed with
 * tsx; nothing is downloaded) and served from memory with a strict Content Security
 * Policy, so even a rendering mistake could not run injected script.
 */
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

export interface PageAssets {
  html: string;
  js: string;
  css: string;
}

const WEB = new URL('./web/', import.meta.url);

export async function buildPage(): Promise<PageAssets> {
  const [html, css, bundle] = await Promise.all([
    readFile(new URL('index.html', WEB), 'utf8'),
    readFile(new URL('style.css', WEB), 'utf8'),
    build({
      entryPoints: [new URL('app.ts', WEB).pathname],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      legalComments: 'none',
      logLevel: 'silent',
    }),
  ]);
  const js = bundle.outputFiles[0]?.text;
  if (js === undefined) throw new Error('the page bundle is empty');
  return { html, js, css };
}

export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};
