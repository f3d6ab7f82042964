/**
 * How an Inspector row reads (src/ui/inspector/row-format.ts): the route in words, the latency
 * bar on a log scale, the counts the live region says, and the address of a per-client view.
 */
import { describe, expect, it } from 'vitest';
import { NO_FILTER } from '../../../src/ui/inspector/exchanges.ts';
import {
  addressOf,
  countsText,
  filterFromAddress,
  latencyFraction,
  latencyText,
  routeText,
} from '../../../src/ui/inspector/row-format.ts';

describe('an Inspector row in words', () => {
  it('names the route by who sent the first message to whom', () => {
    expect(routeText({ side: 'client', direction: 'in' })).toBe('client ▸ hub');
    expect(routeText({ side: 'client', direction: 'out' })).toBe('hub ▸ client');
    expect(routeText({ side: 'server', direction: 'out' })).toBe('hub ▸ server');
    expect(routeText({ side: 'server', direction: 'in' })).toBe('server ▸ hub');
  });

  it('draws latency on a log scale: 1 ms shows, 10 s does not fill the bar, a minute does', () => {
    expect(latencyFraction(undefined)).toBe(0);
    expect(latencyFraction(-3)).toBe(0);
    expect(latencyFraction(1)).toBeGreaterThan(0.05);
    const tenMs = latencyFraction(10);
    const oneSecond = latencyFraction(1_000);
    // Each factor of 10 adds the same length.
    expect(latencyFraction(100) - tenMs).toBeCloseTo(oneSecond - latencyFraction(100), 1);
    expect(latencyFraction(10_000)).toBeLessThan(1);
    expect(latencyFraction(60_000)).toBe(1);
    expect(latencyFraction(3_600_000)).toBe(1);
    expect(latencyText(12.4)).toBe('12 ms');
    expect(latencyText(undefined)).toBe('');
  });

  it('says counts only', () => {
    expect(countsText(0, 0, 0)).toBe('No messages yet.');
    expect(countsText(1, 1, 2)).toBe('1 exchange (2 messages).');
    expect(countsText(40, 5_000, 10_000)).toBe(
      '40 of 5,000 exchanges (10,000 messages) match the filters.',
    );
  });
});

describe("the Inspector's address", () => {
  it('names the client and server filters, and reads them back', () => {
    const filter = { ...NO_FILTER, sessionId: 'tab/1 & co', serverId: 'id-github' };
    const address = addressOf(filter);
    expect(address).toMatch(/^#\/inspector\//);
    expect(filterFromAddress(address)).toEqual({ sessionId: 'tab/1 & co', serverId: 'id-github' });
    expect(addressOf(NO_FILTER)).toBe('#/inspector');
  });

  it('ignores other pages and anything it does not know', () => {
    expect(filterFromAddress('#/servers/client=x')).toEqual({});
    expect(filterFromAddress('#/inspector')).toEqual({});
    expect(filterFromAddress('#/inspector/%E0%A4%A=x&method=y')).toEqual({});
  });
});
