/**
 * The emulator's HTTP face: `/bot<token>/<method>` with Telegram's envelopes and status
 * codes, `/file/bot<token>/<path>` downloads, and an optional control route for the
 * sandbox. Bodies may be JSON, url-encoded or multipart, as the Bot API accepts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BotApiError } from './errors.ts';
import type { MethodHandler, UploadedFile } from './method-context.ts';
import type { ScriptedFailure } from './types.ts';
import type { World } from './world.ts';

const MAX_BODY = 50 * 1024 * 1024;

export interface HttpDeps {
  token: string;
  world: World;
  methods: Map<string, MethodHandler>;
  failures: Map<string, ScriptedFailure[]>;
  calls: Map<string, number>;
  control?: (path: string, body: unknown) => Promise<unknown>;
}

export function createHandler(deps: HttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(deps, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error_code: 500, description: String(error) });
      else res.destroy();
    });
  };
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
  if (api) return await callMethod(deps, api[1] ?? '', api[2] ?? '', url, req, res);
  const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
  if (file && req.method === 'GET') return serveFile(deps, file[1] ?? '', file[2] ?? '', res);
  if (url.pathname.startsWith('/control/') && deps.control && req.method === 'POST') {
    const raw = await readBody(req);
    let body: unknown = {};
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return send(res, 400, { ok: false, description: 'invalid JSON' });
    }
    try {
      return send(res, 200, { ok: true, result: await deps.control(url.pathname.slice(9), body) });
    } catch (error) {
      return send(res, 400, {
        ok: false,
        description: error instanceof Error ? error.message : String(error),
      });
    }
  }
  send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
}

async function callMethod(
  deps: HttpDeps,
  token: string,
  name: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (token !== deps.token)
    return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
  const method = deps.methods.get(name.toLowerCase());
  if (!method)
    return send(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
  const key = name.toLowerCase();
  deps.calls.set(key, (deps.calls.get(key) ?? 0) + 1);
  const scripted = deps.failures.get(key)?.shift();
  if (scripted) {
    const error = new BotApiError(scripted.error_code, scripted.description, scripted.parameters);
    return send(
      res,
      error.code,
      error.envelope(),
      scripted.error_code >= 500 ? scripted.description : undefined,
    );
  }
  let body: { params: Record<string, unknown>; uploads: Map<string, UploadedFile> };
  try {
    body = await readParams(req, url);
  } catch {
    return send(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid request body' });
  }
  const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
  try {
    const result = await method({ ...body, closed });
    send(res, 200, { ok: true, result });
  } catch (error) {
    if (!(error instanceof BotApiError)) throw error;
    send(res, error.code, error.envelope());
  }
}

function serveFile(deps: HttpDeps, token: string, path: string, res: ServerResponse): void {
  if (token !== deps.token) {
    send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    return;
  }
  const file = deps.world.fileAtPath(decodeURIComponent(path));
  if (!file) {
    send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    return;
  }
  res.writeHead(200, {
    'content-type': file.mimeType ?? 'application/octet-stream',
    'content-length': String(file.bytes.length),
  });
  res.end(file.bytes);
}

async function readParams(
  req: IncomingMessage,
  url: URL,
): Promise<{ params: Record<string, unknown>; uploads: Map<string, UploadedFile> }> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const uploads = new Map<string, UploadedFile>();
  const raw = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { params, uploads };
  if (type.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    Object.assign(params, parsed);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
  } else if (type.startsWith('multipart/form-data')) {
    const form = await new Request('http://emulator/', {
      method: 'POST',
      headers: { 'content-type': type },
      body: raw,
    }).formData();
    for (const [key, value] of form) {
      if (typeof value === 'string') {
        params[key] = value;
        continue;
      }
      const upload: UploadedFile = { bytes: Buffer.from(await value.arrayBuffer()) };
      if (value.name) upload.name = value.name;
      if (value.type) upload.mimeType = value.type;
      uploads.set(key, upload);
    }
  }
  return { params, uploads };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, statusText?: string): void {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
  if (statusText === undefined) res.writeHead(status, headers);
  else res.writeHead(status, statusText, headers);
  res.end(text);
}
