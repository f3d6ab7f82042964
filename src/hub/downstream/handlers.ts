/**
 * The requests a client may send the hub, each on one road: the policy first (with what the
 * action is about: the tool's full definition and arguments, the URI, the reference), then the
 * router, then the one upstream that serves it. Nothing here bounces back into the hub.
 */
import type { Server, ServerCapabilities, ServerContext } from '@modelcontextprotocol/server';
import type { PolicyAction } from '../policy/policy.ts';
import type { CallOptions } from '../upstream/calls.ts';
import type { Session } from './session.ts';

export function installHandlers(
  session: Session,
  server: Server,
  capabilities: ServerCapabilities,
): void {
  const { router, subscriptions } = session.deps;

  server.setRequestHandler('tools/list', async (request) => {
    const { items, nextCursor } = await session.page('tools', request.params?.cursor);
    return { tools: items, nextCursor };
  });

  server.setRequestHandler('tools/call', async (request, ctx) => {
    session.calls++;
    try {
      const progressToken = request.params._meta?.progressToken;
      return (await callNamed(session, 'tool', request.params, ctx, {
        // Progress is relayed only to the session that asked for it, under ITS token.
        onprogress:
          progressToken === undefined
            ? undefined
            : (progress) =>
                void ctx.mcpReq
                  .notify({
                    method: 'notifications/progress',
                    params: { progressToken, ...progress },
                  })
                  .catch(() => {}),
      })) as never;
    } catch (error) {
      session.errors++;
      throw error;
    } finally {
      session.deps.events.changed(session);
    }
  });

  server.setRequestHandler('prompts/list', async (request) => {
    const { items, nextCursor } = await session.page('prompts', request.params?.cursor);
    return { prompts: items, nextCursor };
  });

  server.setRequestHandler('prompts/get', async (request, ctx) => {
    return (await callNamed(session, 'prompt', request.params, ctx, {})) as never;
  });

  server.setRequestHandler('resources/list', async (request) => {
    const { items, nextCursor } = await session.page('resources', request.params?.cursor);
    return { resources: items, nextCursor };
  });

  server.setRequestHandler('resources/templates/list', async (request) => {
    const { items, nextCursor } = await session.page('templates', request.params?.cursor);
    return { resourceTemplates: items, nextCursor };
  });

  server.setRequestHandler('resources/read', async (request, ctx) => {
    await router.whenStarted();
    const { uri } = request.params;
    const serverId = router.routeResource(uri, session.scope);
    const leg = { signal: ctx.mcpReq.signal };
    return (await session.act(
      { type: 'read-resource', serverId, uri },
      () =>
        session.run(ctx, serverId, `resources/read ${uri}`, leg, (call) =>
          router.start(
            'resources/read',
            { serverId, upstreamName: uri },
            { uri },
            { ...leg, ...call },
          ),
        ),
      leg,
    )) as never;
  });

  if (capabilities.resources?.subscribe) {
    server.setRequestHandler('resources/subscribe', async (request) => {
      await session.subscribe(request.params.uri);
      return {};
    });

    server.setRequestHandler('resources/unsubscribe', async (request) => {
      await subscriptions.unsubscribe(session, request.params.uri);
      return {};
    });
  }

  if (capabilities.completions) {
    server.setRequestHandler('completion/complete', async (request, ctx) => {
      await router.whenStarted();
      const { serverId, ref } = router.routeCompletion(request.params.ref, session.scope);
      await session.authorize({ type: 'complete', serverId, ref: request.params.ref });
      return router.complete(serverId, { ...request.params, ref }, ctx.mcpReq.signal);
    });
  }

  if (capabilities.logging) {
    server.setRequestHandler('logging/setLevel', async (request) => {
      await session.authorize({ type: 'set-log-level', level: request.params.level });
      session.logLevel = request.params.level;
      // Answer once the servers send at the new level, so a message the client triggers right
      // after the answer is not filtered upstream at the old one.
      await session.deps.logs.levelChanged();
      return {};
    });
  }
}

/**
 * A tool call or a prompt: routed by the name the client used, authorized with the definition
 * and arguments, then run on the server under its own name.
 */
async function callNamed(
  session: Session,
  kind: 'tool' | 'prompt',
  params: { name: string; arguments?: Record<string, unknown> },
  ctx: ServerContext,
  options: Pick<CallOptions, 'onprogress'>,
): Promise<unknown> {
  const { router } = session.deps;
  await router.whenStarted();
  const route = router.route(kind, params.name, session.scope);
  const name = router.exposedName(kind, route);
  const action: PolicyAction =
    kind === 'tool'
      ? {
          type: 'call-tool',
          serverId: route.serverId,
          tool: name,
          definition: router.definition('tool', route),
          arguments: params.arguments,
        }
      : {
          type: 'get-prompt',
          serverId: route.serverId,
          prompt: name,
          definition: router.definition('prompt', route),
          arguments: params.arguments as Record<string, string> | undefined,
        };
  const method = kind === 'tool' ? 'tools/call' : 'prompts/get';
  const leg = { signal: ctx.mcpReq.signal, ...options };
  // While the person reads a consent request, a client that asked for progress hears that the
  // call waits for them: its timeout, if progress resets it, stands still too.
  let waited = 0;
  const stillWaiting = options.onprogress
    ? (message: string) => options.onprogress?.({ progress: ++waited, message })
    : undefined;
  return session.act(
    action,
    () =>
      session.run(ctx, route.serverId, `${method} ${route.upstreamName}`, leg, (call) =>
        router.start(
          method,
          route,
          { name: route.upstreamName, arguments: params.arguments },
          { ...leg, ...call },
        ),
      ),
    { signal: ctx.mcpReq.signal, ...(stillWaiting ? { stillWaiting } : {}) },
  );
}
