import { describe, expect, it } from 'vitest';
import { findTicketReference, formatTicket } from './ticket.ts';

describe('tickets', () => {
  it.each([
    [42, 'EX-000042'],
    [104233, 'EX-104233'],
    [12345678, 'EX-12345678'],
  ])('formats %i as %s', (n, expected) => expect(formatTicket('EX', n)).toBe(expected));

  it.each([
    ['my ticket is EX-104233', 'EX-104233'],
    ['ex104233 please', 'EX-104233'],
    ['EX 104233', 'EX-104233'],
    ['工单号：EX-104233，请继续处理', 'EX-104233'],
    ['#EX#104233', 'EX-104233'],
    ['TEX-104233', undefined],
    ['EX-1042', undefined],
    ['EX-10423399999999', undefined],
    ['no ticket here', undefined],
  ])('finds the reference in %j', (text, expected) => expect(findTicketReference(text, 'EX')).toBe(expected));
});
