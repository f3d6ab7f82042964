/**
 * The sign-in callback message (src/protocol/sign-in.ts): built from a callback URL's query with
 * only an authorization response's parameters, each cut to size; and checked on arrival, since
 * any page of the origin can post on the channel.
 */
import { describe, expect, it } from 'vitest';
import {
  CALLBACK_VALUE_MAX,
  isSignInCallback,
  signInCallbackOf,
} from '../../../src/protocol/sign-in.ts';

describe('the sign-in callback message', () => {
  it('carries the response parameters only, each at most CALLBACK_VALUE_MAX long', () => {
    const message = signInCallbackOf(
      `?code=c1&state=s1&iss=http%3A%2F%2F127.0.0.1%3A9000&scope=all&code_verifier=no&error_description=${'y'.repeat(CALLBACK_VALUE_MAX + 5)}`,
    );
    expect(message.params).toEqual({
      code: 'c1',
      state: 's1',
      iss: 'http://127.0.0.1:9000',
      error_description: 'y'.repeat(CALLBACK_VALUE_MAX),
    });
    expect(isSignInCallback(message)).toBe(true);
  });

  it('refuses anything else that arrives on the channel', () => {
    const hostile: unknown[] = [
      null,
      'nexus/sign-in-callback',
      { type: 'nexus/sign-in-callback' },
      { type: 'nexus/sign-in-callback', params: null },
      { type: 'other', params: { code: 'c' } },
      { type: 'nexus/sign-in-callback', params: { code: 7 } },
      { type: 'nexus/sign-in-callback', params: { code: ['c'] } },
      { type: 'nexus/sign-in-callback', params: { refresh_token: 'r' } },
      { type: 'nexus/sign-in-callback', params: { code: 'x'.repeat(CALLBACK_VALUE_MAX + 1) } },
    ];
    for (const value of hostile) expect(isSignInCallback(value), JSON.stringify(value)).toBe(false);
  });
});
