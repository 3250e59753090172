/**
 * Before anything is stored: secrets a user pasted are redacted (the shield), and every
 * entity in the text is found and judged (the scanner). Runs in the adapter's process,
 * inside the sink, so a recovery phrase never reaches Redis, the router or an agent.
 */
import type { InboundEvent } from '../core/model.ts';
import type { Enricher } from '../ingest/sink.ts';
import { secretEntities } from '../trust/check.ts';
import type { TrustScanner } from '../trust/scanner.ts';
import { shield } from '../trust/shield.ts';

export function trustEnricher(scanner: TrustScanner): Enricher {
  return (event: InboundEvent) => {
    if (event.type !== 'message' && event.type !== 'edit') return {};
    const shielded = shield(event.text);
    const names =
      event.type === 'message' && event.forwardedFrom?.displayName ? [event.forwardedFrom.displayName] : [];
    const sender = {
      channel: event.sender.channel,
      userId: event.sender.userId,
      ...(event.sender.handle ? { handle: event.sender.handle } : {}),
      ...(event.sender.displayName ? { displayName: event.sender.displayName } : {}),
    };
    return {
      text: shielded.text,
      redactions: shielded.redactions,
      entities: [
        ...secretEntities(shielded.redactions),
        ...scanner.scan(shielded.text, { channel: event.channel, sender, names }),
      ],
    };
  };
}
