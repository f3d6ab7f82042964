/**
 * The SDK `Client` of one connection attempt, with what the hub declares and how it listens. What
 * it declares at connect is what the hub can serve on a connection every client shares (the 2025
 * era says it once, in `initialize`): elicitation in both modes, since what a client cannot
 * answer the person answers in the dashboard; sampling and roots, which reach the client whose
 * call asked for them, and are refused with its name when that client has neither. A 2026-07-28
 * request carries its own client's capabilities instead (./era.ts `callerCapabilities`). It lets
 * 2026-07-28 input rounds reach the client whose call asked, and turns
 * the server's notifications into the connection's events. Every handler first asks whether this
 * client is still the connection's current one: a late message of an old connection is dropped.
 */
import {
  Client,
  type LoggingMessageNotification,
  type VersionNegotiationOptions,
} from '@modelcontextprotocol/client';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';
import { INPUT_METHODS, type InputRequest, type InputResponse } from '../downstream/input.ts';
import type { RunningCall } from './calls.ts';
import { MAX_UPSTREAM_PAGES, type CatalogKind } from './catalog.ts';

export interface ClientHooks {
  /** Whether `client` is the connection's current client. */
  current(client: Client): boolean;
  /** The 2025-era call a server→client request belongs to, if one does. */
  relatedTo(requestId: string | number): RunningCall | undefined;
  /** A server→client request no call of the hub's caused. */
  unrelated?(request: InputRequest, signal: AbortSignal): Promise<InputResponse>;
  /** The server changed some lists. */
  reload(client: Client, kinds: CatalogKind[]): Promise<void>;
  resourceUpdated?(uri: string): void;
  logMessage?(params: LoggingMessageNotification['params']): void;
}

/** `negotiation`: how the client finds the era (./era.ts `negotiationFor`); none is 2025 only. */
export function createUpstreamClient(
  clientInfo: { name: string; version: string },
  negotiation: VersionNegotiationOptions | undefined,
  hooks: ClientHooks,
): Client {
  const client = new Client(clientInfo, {
    // Only what the hub can serve: elicitation always (a client, or the person in the
    // dashboard), sampling and roots for calls whose client offers them. No roots listChanged:
    // roots differ per client, and one shared connection cannot say whose changed.
    capabilities: { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} },
    jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    listMaxPages: MAX_UPSTREAM_PAGES,
    // Streamable HTTP servers may speak 2026-07-28: ask first (`server/discover`), and fall back
    // to `initialize` on a legacy answer. HTTP+SSE and the built-in server are 2025-era only.
    ...(negotiation ? { versionNegotiation: negotiation } : {}),
    // Input a 2026-07-28 server asks for goes to the client whose call asked, not to handlers
    // shared by every client: the hub drives those rounds itself.
    inputRequired: { autoFulfill: false },
  });
  for (const method of INPUT_METHODS) {
    client.setRequestHandler(method, async (request, ctx) => {
      const input = { method, params: request.params } as InputRequest;
      const call = hooks.relatedTo(ctx.mcpReq.id);
      if (call) {
        // The server waits for an answer (maybe a person's): that is not silence.
        const release = call.deadline?.hold();
        try {
          return (await call.pushed.push(input, ctx.mcpReq.signal)) as never;
        } finally {
          release?.();
        }
      }
      if (!hooks.unrelated) throw new Error('no client to ask');
      return (await hooks.unrelated(input, ctx.mcpReq.signal)) as never;
    });
  }
  const reload = (kinds: CatalogKind[]) => async () => {
    if (hooks.current(client)) await hooks.reload(client, kinds);
  };
  client.setNotificationHandler('notifications/tools/list_changed', reload(['tools']));
  client.setNotificationHandler('notifications/prompts/list_changed', reload(['prompts']));
  client.setNotificationHandler(
    'notifications/resources/list_changed',
    reload(['resources', 'templates']),
  );
  client.setNotificationHandler('notifications/resources/updated', async (notification) => {
    if (hooks.current(client)) hooks.resourceUpdated?.(notification.params.uri);
  });
  client.setNotificationHandler('notifications/message', async (notification) => {
    if (hooks.current(client)) hooks.logMessage?.(notification.params);
  });
  return client;
}
