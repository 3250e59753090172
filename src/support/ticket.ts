/**
 * Human-readable ticket numbers: `<PREFIX>-<6+ digits>` (EX-104233). Short enough to read
 * out, quote on another channel or type on a phone; users write them in many ways
 * ("ex104233", "EX 104233", "工单号：EX-104233"), all of which are recognised.
 */

export function formatTicket(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(6, '0')}`;
}

/** The first ticket number of this prefix quoted in a message, normalized, or undefined. */
export function findTicketReference(text: string, prefix: string): string | undefined {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![A-Za-z0-9])${escaped}[\\s#:：-]{0,2}(\\d{6,10})(?!\\d)`, 'i');
  const digits = re.exec(text.slice(0, 2000))?.[1];
  return digits === undefined ? undefined : `${prefix}-${digits}`;
}
