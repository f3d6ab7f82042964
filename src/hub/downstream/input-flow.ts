/**
 * Drives one call that may stop for input (./input.ts), answering the way this session's client
 * speaks. A 2025-era client is asked with requests related to its call (so they reach this client
 * and no other); a 2026-07-28 client gets `input_required` and comes back with the answers and
 * the hub's `requestState`. What the client cannot answer, the hub answers: an elicitation goes to
 * the person (the person queue), sampling and roots are refused with a reason.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  inputRequired,
  type ClientCapabilities,
  type ElicitRequest,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Clock, Ids } from '../ports.ts';
import { SDK_TIMEOUT_OFF } from '../upstream/deadline.ts';
import {
  answerAll,
  answerOf,
  canAnswer,
  cannotAnswer,
  type Exchange,
  type InputAnswer,
  type InputAnswers,
  type InputRequest,
  type InputRequests,
  type InputResponse,
} from './input.ts';

/** How long a 2026-07-28 client may take to come back with the input a call asked for. */
const FLOW_TTL_MS = 10 * 60_000;

/**
 * A call that returned `input_required` to a 2026-07-28 client and waits for its retry. The
 * exchange may be a legacy server's call that is still running: the retry's answers go to it.
 */
interface WaitingFlow {
  exchange: Exchange<unknown>;
  serverId: string;
  /** What was called (`tools/call weather`), so a retry cannot continue another call's flow. */
  target: string;
  /** Answers the hub gave itself (the dashboard, refusals), merged into the client's. */
  answered: InputAnswers;
  createdAt: number;
}

export type Era = 'legacy' | 'modern';

/** What the flows need of their session. */
export interface FlowHost {
  /** The era the client opened with (undefined before its first message). */
  era(): Era | undefined;
  readonly clientName: string;
  /** The client's capabilities from `initialize` (2025 era). */
  initialCapabilities(): ClientCapabilities | undefined;
  /** Shows a server's elicitation to the person; settles with their answer. */
  askPerson(serverId: string, request: ElicitRequest, signal: AbortSignal): Promise<InputResponse>;
  slugOf(serverId: string): string;
}

export class InputFlows {
  readonly #flows = new Map<string, WaitingFlow>();

  constructor(
    private readonly host: FlowHost,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  /** Runs the call to its result, or to `input_required` for a 2026-07-28 client. */
  async drive(
    ctx: ServerContext,
    serverId: string,
    target: string,
    start: () => Exchange<unknown>,
  ): Promise<unknown> {
    let exchange: Exchange<unknown>;
    let answers: InputAnswers = {};
    const state = ctx.mcpReq.requestState<unknown>();
    if (typeof state === 'string' && this.host.era() === 'modern') {
      const flow = this.#flows.get(state);
      if (flow && (flow.serverId !== serverId || flow.target !== target)) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `This requestState belongs to another request (${flow.target}); retry that request with it.`,
        );
      }
      if (!flow) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          'Nexus no longer has the call this answer belongs to (it expired, or the hub restarted). Make the request again without requestState.',
        );
      }
      this.#flows.delete(state);
      exchange = flow.exchange;
      answers = { ...flow.answered };
      for (const [key, response] of Object.entries(ctx.mcpReq.inputResponses ?? {}))
        answers[key] = answerOf(response);
    } else {
      exchange = start();
    }
    const capabilities = this.#clientCapabilities(ctx);
    for (;;) {
      const step = await exchange.next(answers);
      if (step.kind === 'complete') return step.result;
      const forClient: InputRequests = {};
      const forHub: InputRequests = {};
      for (const [key, request] of Object.entries(step.requests))
        (canAnswer(capabilities, request) ? forClient : forHub)[key] = request;
      // Asking stops when the call ends or the server withdraws its request.
      const until = (key: string) => {
        const withdrawn = step.withdrawn?.[key];
        return withdrawn ? AbortSignal.any([ctx.mcpReq.signal, withdrawn]) : ctx.mcpReq.signal;
      };
      const answered = await answerAll(forHub, (request, key) =>
        this.#answerHere(serverId, request, until(key)),
      );
      if (Object.keys(forClient).length === 0) {
        answers = answered;
        continue;
      }
      if (this.host.era() === 'modern') {
        const requestState = this.#park({
          exchange,
          serverId,
          target,
          answered,
          createdAt: this.clock.now(),
        });
        return inputRequired({ inputRequests: forClient, requestState } as never);
      }
      answers = {
        ...answered,
        ...(await answerAll(forClient, (request, key) =>
          this.#askClient(ctx, request, until(key)),
        )),
      };
    }
  }

  /** Forgets every waiting flow (the session ended). */
  clear(): void {
    this.#flows.clear();
  }

  /** The client's capabilities: per request on 2026-07-28, from `initialize` before that. */
  #clientCapabilities(ctx: ServerContext): ClientCapabilities | undefined {
    if (this.host.era() === 'modern') {
      const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
      return envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
    }
    return this.host.initialCapabilities();
  }

  /**
   * Asks a 2025-era client, on its own call's stream (related request). No timeout of the hub's
   * own: a person may take minutes to answer in their client, and the server that asked has its
   * own timeout, whose cancellation reaches the client through `signal`.
   */
  async #askClient(
    ctx: ServerContext,
    request: InputRequest,
    signal: AbortSignal,
  ): Promise<InputAnswer> {
    try {
      return answerOf(
        await ctx.mcpReq.send(request as never, { signal, timeout: SDK_TIMEOUT_OFF }),
      );
    } catch (error) {
      return {
        error:
          error instanceof ProtocolError
            ? error
            : new ProtocolError(
                ProtocolErrorCode.InternalError,
                `Client '${this.host.clientName}' could not answer ${request.method}: ${String(error)}`,
              ),
      };
    }
  }

  async #answerHere(
    serverId: string,
    request: InputRequest,
    signal: AbortSignal,
  ): Promise<InputAnswer> {
    if (request.method === 'elicitation/create') {
      try {
        return answerOf(await this.host.askPerson(serverId, request, signal));
      } catch (error) {
        return { error: error as ProtocolError };
      }
    }
    return {
      error: cannotAnswer(request, this.host.slugOf(serverId), this.host.clientName),
    };
  }

  /** Keeps a flow for the client's retry; returns the `requestState` that names it. */
  #park(flow: WaitingFlow): string {
    for (const [key, old] of this.#flows)
      if (flow.createdAt - old.createdAt > FLOW_TTL_MS) this.#flows.delete(key);
    const token = this.ids.next();
    this.#flows.set(token, flow);
    return token;
  }
}
