/**
 * The XML WeChat pushes is one `<xml>` element of simple fields (text or CDATA), with an
 * occasional nested group (ScanCodeInfo, SendLocationInfo …). This reads exactly that into
 * a flat record (nested fields as `Parent.Child`) and writes it back; anything else is
 * refused rather than guessed at. A scanner, not a regex, so user text inside CDATA (which
 * may well contain `</Content>`) cannot end a field early.
 */

export class XmlShapeError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const MAX_DEPTH = 4;

function decodeText(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? '';
  });
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  expect(s: string): void {
    if (!this.startsWith(s)) throw new XmlShapeError(`expected "${s}" at ${this.pos}`);
    this.pos += s.length;
  }

  until(s: string): string {
    const end = this.text.indexOf(s, this.pos);
    if (end < 0) throw new XmlShapeError(`unterminated, "${s}" not found`);
    const out = this.text.slice(this.pos, end);
    this.pos = end + s.length;
    return out;
  }

  /** `<Name>` or `<Name/>`: the name and whether the element is already closed. */
  openTag(): { name: string; empty: boolean } {
    this.expect('<');
    const tag = this.until('>');
    const m = /^([A-Za-z_][\w.-]*)\s*(\/?)$/.exec(tag);
    if (!m?.[1]) throw new XmlShapeError(`unexpected tag <${tag}>`);
    return { name: m[1], empty: m[2] === '/' };
  }
}

function readElements(
  s: Scanner,
  closing: string,
  prefix: string,
  into: Record<string, string>,
  depth: number,
) {
  if (depth > MAX_DEPTH) throw new XmlShapeError('XML nested too deeply');
  for (;;) {
    s.skipSpace();
    if (s.startsWith(closing)) {
      s.pos += closing.length;
      return;
    }
    const { name, empty } = s.openTag();
    const key = prefix === '' ? name : `${prefix}.${name}`;
    if (empty) {
      into[key] = '';
      continue;
    }
    const end = `</${name}>`;
    const afterOpen = s.pos;
    s.skipSpace();
    if (s.startsWith('<![CDATA[')) {
      let value = '';
      while (s.startsWith('<![CDATA[')) {
        s.pos += '<![CDATA['.length;
        value += s.until(']]>');
        s.skipSpace();
      }
      s.expect(end);
      into[key] = value;
    } else if (s.startsWith('<') && !s.startsWith(end)) {
      readElements(s, end, key, into, depth + 1);
    } else {
      s.pos = afterOpen;
      into[key] = decodeText(s.until(end).trim());
    }
  }
}

export function parseFlatXml(text: string): Record<string, string> {
  const s = new Scanner(text);
  s.skipSpace();
  if (s.startsWith('<?xml')) s.until('?>');
  s.skipSpace();
  s.expect('<xml>');
  const fields: Record<string, string> = {};
  readElements(s, '</xml>', '', fields, 0);
  s.skipSpace();
  if (s.pos !== text.length) throw new XmlShapeError('unexpected content after </xml>');
  return fields;
}

/** Numbers are written bare (as WeChat does for CreateTime, MsgId); strings as CDATA. */
export function buildFlatXml(fields: Readonly<Record<string, string | number>>): string {
  const body = Object.entries(fields)
    .map(([k, v]) =>
      typeof v === 'number'
        ? `<${k}>${v}</${k}>`
        : `<${k}><![CDATA[${v.replaceAll(']]>', ']]]]><![CDATA[>')}]]></${k}>`,
    )
    .join('');
  return `<xml>${body}</xml>`;
}
