/**
 * "Replay in Playground": the Inspector reads a client's tool call from its JSON (anything a page
 * sent: only a well-formed call is offered), hands it over once, and the Playground's form takes
 * its arguments (in the form when it can hold them, else as raw JSON).
 */
import { describe, expect, it } from 'vitest';
import { SchemaFormState } from '../../../src/ui/forms/schema/form-state.svelte.ts';
import { replayOf } from '../../../src/ui/inspector/row-format.ts';
import { offerReplay, takeReplay } from '../../../src/ui/state/replay.ts';

const clientCall = {
  side: 'client',
  direction: 'in',
  kind: 'request',
  method: 'tools/call',
} as const;
const json = (params: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params });

describe('a call to replay', () => {
  it('is a client’s own tools/call with a name and object arguments', () => {
    expect(
      replayOf(clientCall, json({ name: 'shop__echo', arguments: { message: 'hi' } })),
    ).toEqual({ tool: 'shop__echo', arguments: { message: 'hi' } });
    expect(replayOf(clientCall, json({ name: 'shop__look' }))).toEqual({
      tool: 'shop__look',
      arguments: {},
    });
    // The server's leg names the tool as the server knows it: not offered.
    expect(
      replayOf({ ...clientCall, side: 'server', direction: 'out' }, json({ name: 'echo' })),
    ).toBe(undefined);
    expect(replayOf({ ...clientCall, method: 'tools/list' }, json({ name: 'x' }))).toBeUndefined();
    expect(replayOf({ ...clientCall, kind: 'response' }, json({ name: 'x' }))).toBeUndefined();
    for (const params of [
      { name: 7, arguments: {} },
      { name: 'x', arguments: [1] },
      { name: 'x', arguments: 'text' },
      { name: 'x', arguments: null },
      { name: '', arguments: {} },
      ['x'],
      null,
    ]) {
      expect(replayOf(clientCall, json(params)), JSON.stringify(params)).toBeUndefined();
    }
    expect(replayOf(clientCall, '{"params":{"name":"cut')).toBeUndefined();
  });

  it('is handed over once, and only to its own tool', () => {
    offerReplay('shop__echo', { message: 'hi' });
    expect(takeReplay('shop__other')).toBeUndefined();
    expect(takeReplay('shop__echo')).toEqual({ message: 'hi' });
    expect(takeReplay('shop__echo')).toBeUndefined();
  });
});

describe('the Playground’s form, prefilled', () => {
  const schema = {
    type: 'object',
    properties: { message: { type: 'string' }, n: { type: 'integer' } },
    required: ['message'],
  };

  it('holds the arguments in the form when it can', () => {
    const form = new SchemaFormState(schema);
    form.prefill({ message: 'again', n: 3 });
    expect(form.rawMode).toBe(false);
    expect(form.submit()).toEqual({ ok: true, arguments: { message: 'again', n: 3 } });
  });

  it('keeps them whole as raw JSON when the form cannot hold them', () => {
    const form = new SchemaFormState(schema);
    form.prefill({ message: 'again', n: 'not a number', extra: { deep: [1] } });
    expect(form.rawMode).toBe(true);
    expect(form.submit()).toEqual({
      ok: true,
      arguments: { message: 'again', n: 'not a number', extra: { deep: [1] } },
    });
  });
});
