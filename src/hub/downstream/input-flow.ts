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
import type { Principal } from '../policy/policy.ts';
import { SDK_TIMEOUT_OFF } from '../upstream/deadline.ts';
import type { Refusal, WaitingCalls } from './waiting-calls.ts';
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
  type Leg,
} from './input.ts';

export type Era = 'legacy' | 'modern';

/** Who answered a server's request for input asked during a call. */
export type AnsweredBy = 'client' | 'person' | 'nobody';

/** What the flows need of their session. */
export interface FlowHost {
  /** The era the client opened with (undefined before its first message). */
  era(): Era | undefined;
  readonly principal: Principal;
  /** The client's capabilities from `initialize` (2025 era). */
  initialCapabilities(): ClientCapabilities | undefined;
  /** Shows a server's elicitation to the person; settles with their answer. */
  askPerson(serverId: string, request: ElicitRequest, signal: AbortSignal): Promise<InputResponse>;
  slugOf(serverId: string): string;
  /** A server asked for input during a call: who answers it (for the audit journal). */
  inputAsked?(serverId: string, method: string, answeredBy: AnsweredBy): void;
}

export class InputFlows {
  constructor(
    private readonly host: FlowHost,
    /** The hub's, not this session's: a client may continue on another connection. */
    private readonly waiting: WaitingCalls,
  ) {}

  /** Runs the call to its result, or to `input_required` for a 2026-07-28 client. */
  async drive(
    ctx: ServerContext,
    serverId: string,
    target: string,
    /**
     * Starts the call upstream. `answered`: answers a 2026-07-28 client sent with a call that
     * continues nothing (a stateless client that knows the questions); the server may take them.
     */
    start: (answered: Record<string, InputResponse> | undefined) => Exchange<unknown>,
    /** The client's request driving this round (a continuation's is not the first one's). */
    leg: Leg,
  ): Promise<unknown> {
    let exchange: Exchange<unknown>;
    let answers: InputAnswers = {};
    const state = ctx.mcpReq.requestState<unknown>();
    if (typeof state === 'string' && this.host.era() === 'modern') {
      const flow = this.waiting.take(state, this.host.principal, serverId, target);
      if ('refused' in flow) throw refusal(flow.refused, flow.target);
      exchange = flow.exchange;
      answers = { ...flow.answered };
      for (const [key, response] of Object.entries(ctx.mcpReq.inputResponses ?? {}))
        answers[key] = answerOf(response);
    } else {
      const sent = this.host.era() === 'modern' ? ctx.mcpReq.inputResponses : undefined;
      exchange = start(sent && Object.keys(sent).length > 0 ? (sent as never) : undefined);
    }
    const capabilities = this.clientCapabilities(ctx);
    for (;;) {
      const step = await exchange.next(answers, leg);
      if (step.kind === 'complete') return step.result;
      const forClient: InputRequests = {};
      const forHub: InputRequests = {};
      for (const [key, request] of Object.entries(step.requests)) {
        const client = canAnswer(capabilities, request);
        (client ? forClient : forHub)[key] = request;
        this.host.inputAsked?.(
          serverId,
          request.method,
          client ? 'client' : request.method === 'elicitation/create' ? 'person' : 'nobody',
        );
      }
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
        const requestState = this.waiting.park(this.host.principal, {
          exchange,
          serverId,
          target,
          answered,
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

  /** The client's capabilities: per request on 2026-07-28, from `initialize` before that. */
  clientCapabilities(ctx: ServerContext): ClientCapabilities | undefined {
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
                `Client '${this.host.principal.clientName}' could not answer ${request.method}: ${String(error)}`,
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
      error: cannotAnswer(request, this.host.slugOf(serverId), this.host.principal.clientName),
    };
  }
}

/** The error for a `requestState` that cannot continue a call, and what to do instead. */
function refusal(why: Refusal, target: string | undefined): ProtocolError {
  const message =
    why === 'other-request'
      ? `This requestState belongs to another request (${target}); retry that request with it.`
      : why === 'not-yours'
        ? 'This requestState was given to another client; a client can only continue its own calls. Make the request again without requestState.'
        : 'Nexus no longer has the call this answer belongs to (it expired, or the hub restarted). Make the request again without requestState.';
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}
