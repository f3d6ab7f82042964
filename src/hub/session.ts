/**
 * One connected downstream client: a v2 SDK `Server` over the client's transport. Every request
 * passes the policy seam before the router sees it. The SDK assigns the upstream request ids, so
 * ids from different sessions never meet upstream (request-id remapping).
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type CallToolResult,
  type ListToolsResult,
  type Transport,
} from '@modelcontextprotocol/server';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
import type { Policy, PolicyAction, Principal } from './types.ts';

/** What a session needs from the hub: the router and the policy. */
export interface SessionHost {
  readonly policy: Policy;
  readonly serverInfo: { name: string; version: string };
  /** Resolves when the hub's servers have had their first connection attempt (bounded wait). */
  whenStarted(): Promise<void>;
  listTools(): ListToolsResult['tools'];
  /** Resolves an aggregated tool name to its server, for the policy and the call. */
  routeTool(name: string): { serverId: string; upstreamName: string };
  callTool(
    route: { serverId: string; upstreamName: string },
    args: Record<string, unknown> | undefined,
    options: {
      signal: AbortSignal;
      onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
    },
  ): Promise<CallToolResult>;
  sessionChanged(session: Session): void;
  sessionClosed(session: Session): void;
}

export class Session {
  readonly connectedAt: number;
  calls = 0;
  errors = 0;
  readonly server: Server;
  #closed = false;

  constructor(
    private readonly host: SessionHost,
    readonly principal: Principal,
    readonly clientVersion: string,
    now: number,
  ) {
    this.connectedAt = now;
    this.server = new Server(host.serverInfo, {
      capabilities: { tools: { listChanged: true } },
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    });
    this.server.onclose = () => this.#onClosed();

    this.server.setRequestHandler('tools/list', async () => {
      await this.#authorize({ type: 'list', what: 'tools' });
      await host.whenStarted();
      return { tools: host.listTools() };
    });

    this.server.setRequestHandler('tools/call', async (request, ctx) => {
      this.calls++;
      try {
        await host.whenStarted();
        const route = host.routeTool(request.params.name);
        await this.#authorize({
          type: 'call-tool',
          serverId: route.serverId,
          tool: request.params.name,
        });
        const progressToken = request.params._meta?.progressToken;
        return await host.callTool(route, request.params.arguments, {
          signal: ctx.mcpReq.signal,
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
        });
      } catch (error) {
        this.errors++;
        throw error;
      } finally {
        host.sessionChanged(this);
      }
    });
  }

  get id(): string {
    return this.principal.sessionId;
  }

  /** Connects the SDK server to the client's transport; the client then initializes. */
  async attach(transport: Transport): Promise<void> {
    await this.server.connect(transport);
  }

  /** Tells this client that the aggregated tool list changed. */
  toolsChanged(): void {
    if (this.#closed) return;
    void this.server.sendToolListChanged().catch(() => {});
  }

  /** Ends the session (client departed or hub shutting down); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.server.close().catch(() => {});
    this.#onClosed();
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.host.sessionClosed(this);
  }

  async #authorize(action: PolicyAction): Promise<void> {
    const decision = await this.host.policy.authorize(this.principal, action);
    if (decision === 'allow') return;
    const what = action.type === 'call-tool' ? `call ${action.tool}` : `list ${action.what}`;
    throw new ProtocolError(
      ProtocolErrorCode.InvalidRequest,
      decision === 'deny'
        ? `Nexus does not allow client '${this.principal.clientName}' to ${what}. Change this in the Nexus dashboard.`
        : `Client '${this.principal.clientName}' needs the person's consent to ${what}, and this version of Nexus cannot ask yet.`,
    );
  }
}
