/**
 * Stream entries as the consumer hands them to handlers, parsed from the replies of
 * XREADGROUP, XCLAIM, XAUTOCLAIM and XRANGE (nested arrays of ids and flat field lists).
 */

export interface StreamEntry {
  stream: string;
  id: string;
  fields: Record<string, string>;
  /** How many times the group has delivered this entry (1 on the first try). */
  attempts: number;
}

export function parseStreams(reply: unknown, attempts: number): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((item: unknown) =>
    Array.isArray(item) && typeof item[0] === 'string' ? parseEntries(item[0], item[1], attempts) : [],
  );
}

export function parseEntries(stream: string, raw: unknown, attempts: number): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) continue;
    const flat: unknown[] = item[1];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
    out.push({ stream, id: item[0], fields, attempts });
  }
  return out;
}
