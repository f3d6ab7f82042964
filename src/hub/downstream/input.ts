/**
 * Input a server needs from the client in the middle of a call: elicitation, sampling and the
 * roots list. The two protocol eras ask for it differently:
 *
 * - 2025-11-25 and older: the server sends a request (`elicitation/create`, …) while the call is
 *   running and waits for the answer (`PushedRequests`);
 * - 2026-07-28: the call ends with an `input_required` result, and the client calls again with
 *   the answers and the server's opaque `requestState` (`RoundTrips`).
 *
 * Both are an `Exchange`: a call that stops at each batch of questions until it has answers. The
 * session on the other side answers them the way ITS client speaks, which is how the hub bridges
 * a modern server to a legacy client and back.
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  isInputRequiredResult,
  type ClientCapabilities,
  type CreateMessageRequest,
  type ElicitRequest,
  type ListRootsRequest,
} from '@modelcontextprotocol/client';

export type InputRequest = ElicitRequest | CreateMessageRequest | ListRootsRequest;
export type InputMethod = InputRequest['method'];
export const INPUT_METHODS: readonly InputMethod[] = [
  'elicitation/create',
  'sampling/createMessage',
  'roots/list',
];

/** A bare result for one input request (`ElicitResult`, `CreateMessageResult`, `ListRootsResult`). */
export type InputResponse = Record<string, unknown>;
export type InputRequests = Record<string, InputRequest>;
/** The answer to one input request, or why there is none. */
export type InputAnswer = { result: InputResponse } | { error: ProtocolError };
export type InputAnswers = Record<string, InputAnswer>;

export type Step<R> =
  | { kind: 'complete'; result: R }
  | {
      kind: 'input';
      requests: InputRequests;
      /**
       * A 2025-era server may withdraw a request it sent (`notifications/cancelled`): the signal
       * of each request, by key, aborts then, and whoever is answering should stop asking.
       */
      withdrawn?: Record<string, AbortSignal>;
    };

/**
 * What the client's request that moves a call on brings with it: on 2026-07-28 each round is a
 * request of its own (maybe on another connection), with its own cancellation and progress.
 */
export interface Leg {
  signal?: AbortSignal;
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

/** One upstream call that may stop to ask for input, in either era. */
export interface Exchange<R> {
  /**
   * Answers the requests of the previous step (none on the first call) and runs the call on to
   * its next stop: the result, or the next batch of requests. `leg`: the client request that
   * does so (a 2025-era call keeps the request that started it).
   */
  next(answers: InputAnswers, leg?: Leg): Promise<Step<R>>;
}

/**
 * The client capabilities a 2026-07-28 request carries to its server: the calling client's
 * elicitation, sampling and roots (so the server can refuse what that client cannot answer
 * instead of asking in vain), plus elicitation in both modes when the client has none but the
 * person can answer (`HubOptions.personAnswers`: the person queue). Nothing else the client
 * declared goes upstream.
 */
export function callerCapabilities(
  caller: ClientCapabilities | undefined,
  personAnswers: boolean,
): ClientCapabilities {
  const elicitation = caller?.elicitation ?? (personAnswers ? { form: {}, url: {} } : undefined);
  return {
    ...(elicitation === undefined ? {} : { elicitation }),
    ...(caller?.sampling === undefined ? {} : { sampling: caller.sampling }),
    ...(caller?.roots === undefined ? {} : { roots: caller.roots }),
  };
}

/** Everything the client side has to answer with: a result, or an error. */
export function answerOf(result: unknown): InputAnswer {
  return { result: (result ?? {}) as InputResponse };
}

/**
 * Fills the fields an accepted form elicitation left out with the defaults of the schema the
 * server asked with (SEP-1034): a client may show the defaults and send back only what changed.
 */
export function withElicitationDefaults(
  request: InputRequest,
  result: InputResponse,
): InputResponse {
  if (request.method !== 'elicitation/create' || result.action !== 'accept') return result;
  const params = request.params as { mode?: string; requestedSchema?: unknown };
  if (params.mode === 'url') return result;
  const properties = (params.requestedSchema as { properties?: Record<string, unknown> })
    ?.properties;
  if (!properties) return result;
  const content = { ...((result.content as Record<string, unknown> | undefined) ?? {}) };
  let filled = false;
  for (const [field, schema] of Object.entries(properties)) {
    const fallback = (schema as { default?: unknown } | null)?.default;
    if (content[field] === undefined && fallback !== undefined) {
      content[field] = fallback;
      filled = true;
    }
  }
  return filled ? { ...result, content } : result;
}

/** Whether a client that declared `capabilities` can answer `request` itself. */
export function canAnswer(
  capabilities: ClientCapabilities | undefined,
  request: InputRequest,
): boolean {
  switch (request.method) {
    case 'elicitation/create': {
      const elicitation = capabilities?.elicitation as { form?: object; url?: object } | undefined;
      if (!elicitation) return false;
      if ((request.params as { mode?: string }).mode === 'url')
        return elicitation.url !== undefined;
      // An empty `elicitation: {}` is the 2025-06-18 form: form mode only.
      return elicitation.form !== undefined || elicitation.url === undefined;
    }
    case 'sampling/createMessage': {
      const sampling = capabilities?.sampling as { tools?: object } | undefined;
      if (!sampling) return false;
      return (request.params as { tools?: unknown[] }).tools === undefined || !!sampling.tools;
    }
    case 'roots/list':
      return capabilities?.roots !== undefined;
  }
}

const WHAT: Record<InputMethod, string> = {
  'elicitation/create': 'input from you (elicitation)',
  'sampling/createMessage': 'an LLM completion (sampling)',
  'roots/list': 'the list of roots',
};

/** The error a server gets when neither the client nor the hub can answer its request. */
export function cannotAnswer(
  request: InputRequest,
  server: string,
  client?: string,
): ProtocolError {
  const who = client
    ? `client '${client}' does not support ${request.method.split('/')[0]}`
    : 'no client call caused the request, so there is no client to ask';
  return new ProtocolError(
    ProtocolErrorCode.InvalidRequest,
    `Server '${server}' asked for ${WHAT[request.method]}, but ${who}. Nexus answers only ` +
      `elicitation itself (in its dashboard); use a client that supports ${request.method}.`,
  );
}

export async function answerAll(
  requests: InputRequests,
  answer: (request: InputRequest, key: string) => Promise<InputAnswer>,
): Promise<InputAnswers> {
  const entries = await Promise.all(
    Object.entries(requests).map(
      async ([key, request]) => [key, await answer(request, key)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

function missingAnswer(request: InputRequest): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `The client retried without answering the server's ${request.method} request.`,
  );
}

/**
 * A 2026-07-28 call: each leg either completes or returns `input_required`; the next leg carries
 * the answers and the server's `requestState` back, byte for byte.
 */
export class RoundTrips<R> implements Exchange<R> {
  #requests: InputRequests = {};
  #requestState: string | undefined;
  #rounds = 0;

  constructor(
    private readonly leg: (
      retry: { inputResponses?: Record<string, InputResponse>; requestState?: string },
      leg: Leg | undefined,
    ) => Promise<unknown>,
    private readonly maxRounds = 10,
  ) {}

  async next(answers: InputAnswers, leg?: Leg): Promise<Step<R>> {
    let retry: { inputResponses?: Record<string, InputResponse>; requestState?: string } = {};
    if (this.#rounds > 0) {
      const inputResponses: Record<string, InputResponse> = {};
      for (const [key, request] of Object.entries(this.#requests)) {
        const answer = answers[key];
        if (!answer) throw missingAnswer(request);
        // An input response cannot carry an error: the call itself fails with it.
        if ('error' in answer) throw answer.error;
        inputResponses[key] = withElicitationDefaults(request, answer.result);
      }
      retry = { inputResponses, requestState: this.#requestState };
    }
    for (;;) {
      if (this.#rounds >= this.maxRounds) {
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `The server asked for input ${this.#rounds} times in one call; Nexus stops there.`,
        );
      }
      this.#rounds++;
      const result = await this.leg(retry, leg);
      if (!isInputRequiredResult(result)) return { kind: 'complete', result: result as R };
      this.#requestState = result.requestState;
      this.#requests = (result.inputRequests ?? {}) as InputRequests;
      if (Object.keys(this.#requests).length > 0)
        return { kind: 'input', requests: this.#requests };
      // State only: the server wants the call again with its state and nothing else.
      retry = { requestState: this.#requestState };
    }
  }
}

interface Pending {
  request: InputRequest;
  /** Aborts when the server withdraws the request. */
  signal?: AbortSignal;
  resolve(result: InputResponse): void;
  reject(error: unknown): void;
}

/**
 * A call to a 2025-era server, and the requests the server sends while it runs. `push` is what
 * the upstream's request handler calls; the returned promise settles with the client's answer.
 */
export class PushedRequests<R> implements Exchange<R> {
  /** Arrived, not yet handed to the client. */
  #arrived: Pending[] = [];
  /** Handed to the client under these keys, waiting for the next `next()`. */
  #handedOut = new Map<string, Pending>();
  #wake: (() => void) | undefined;
  #settled = false;
  #nextKey = 0;
  readonly #call: Promise<R>;

  constructor(call: Promise<R>) {
    this.#call = call;
    // Observe the outcome so it never counts as unhandled; `next` reads it again.
    call.then(
      () => this.#finish(),
      () => this.#finish(),
    );
  }

  /**
   * A request the server sent during this call; settles with the client's answer. `signal`
   * aborts when the server withdraws it.
   */
  push(request: InputRequest, signal?: AbortSignal): Promise<InputResponse> {
    if (this.#settled) return Promise.reject(cannotAnswer(request, 'the server'));
    return new Promise((resolve, reject) => {
      const pending: Pending = { request, signal, resolve, reject };
      signal?.addEventListener(
        'abort',
        () => {
          // Not handed out yet: nobody needs to hear of it. Handed out: the signal tells them.
          this.#arrived = this.#arrived.filter((each) => each !== pending);
          reject(signal.reason);
        },
        { once: true },
      );
      this.#arrived.push(pending);
      this.#wake?.();
    });
  }

  async next(answers: InputAnswers): Promise<Step<R>> {
    for (const [key, pending] of this.#handedOut) {
      const answer = answers[key];
      if (!answer) pending.reject(missingAnswer(pending.request));
      else if ('error' in answer) pending.reject(answer.error);
      else pending.resolve(withElicitationDefaults(pending.request, answer.result));
    }
    this.#handedOut.clear();
    while (this.#arrived.length === 0 && !this.#settled) {
      await new Promise<void>((wake) => (this.#wake = wake));
      this.#wake = undefined;
    }
    if (this.#arrived.length > 0) {
      const requests: InputRequests = {};
      const withdrawn: Record<string, AbortSignal> = {};
      for (const pending of this.#arrived.splice(0)) {
        const key = `input-${this.#nextKey++}`;
        this.#handedOut.set(key, pending);
        requests[key] = pending.request;
        if (pending.signal) withdrawn[key] = pending.signal;
      }
      return { kind: 'input', requests, withdrawn };
    }
    return { kind: 'complete', result: await this.#call };
  }

  #finish(): void {
    this.#settled = true;
    // The call is over: nothing can use an answer any more.
    for (const pending of this.#arrived.splice(0)) {
      pending.reject(new ProtocolError(ProtocolErrorCode.InternalError, 'The call has ended.'));
    }
    this.#wake?.();
  }
}
