/** The OpenAPI 3.1 document, made from the same route declarations the server runs. */
import { z } from 'zod';
import type { DocumentedRoute } from './route.ts';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema);
  const properties = typeof json.properties === 'object' && json.properties !== null ? json.properties : {};
  const required = new Set(Array.isArray(json.required) ? json.required : []);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

export function openApiDocument(routes: readonly DocumentedRoute[], title: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      'x-verity-role': r.access,
      parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')],
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body) } } } }
        : {}),
      responses: {
        [String(r.status)]: { description: 'success' },
        ...(r.body || r.query || r.params ? { 400: { description: 'invalid input' } } : {}),
        ...(r.access === 'public'
          ? {}
          : { 401: { description: 'not logged in' }, 403: { description: 'role or CSRF token missing' } }),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title, version: '1' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'verity_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
      },
    },
    paths,
  };
}
