/**
 * A server's elicitation as the person sees it: the hub is the person's UI when no client can
 * answer (a client without the capability, a request outside any call, the Playground). The
 * request is shown in every dashboard through the person queue, and the person's answer becomes
 * the `ElicitResult` the server waits for.
 */
import { ProtocolError, ProtocolErrorCode, type ElicitRequest } from '@modelcontextprotocol/client';
import type { ElicitationAnswer, ElicitationView } from '../../protocol/views.ts';
import { cannotAnswer, type InputRequest, type InputResponse } from '../downstream/input.ts';
import { Withdrawn, type PersonQueue, type Waiting } from './queue.ts';

export const ELICITATION = 'elicitation';

/** What the view holds before the queue gives it an id and a time. */
type Asked = Omit<ElicitationView, 'id' | 'askedAt'>;

/**
 * Asks the person; settles with the answer as the server expects it, or rejects when `signal`
 * aborts first (the item then leaves the dashboards).
 */
export function askPersonToElicit(
  queue: PersonQueue,
  server: { slug: string; name: string },
  clientName: string | undefined,
  request: ElicitRequest,
  signal?: AbortSignal,
): Promise<InputResponse> {
  const params = request.params as ElicitRequest['params'] & {
    mode?: 'form' | 'url';
    url?: string;
    requestedSchema?: unknown;
  };
  const url = params.mode === 'url';
  const view: Asked = {
    serverSlug: server.slug,
    serverName: server.name,
    ...(clientName !== undefined ? { clientName } : {}),
    message: params.message,
    mode: url ? 'url' : 'form',
    ...(url ? { url: params.url } : { requestedSchema: params.requestedSchema }),
  };
  return queue
    .ask<Asked, ElicitationAnswer, InputResponse>(
      ELICITATION,
      view,
      (answer) =>
        answer.action === 'accept' && !url
          ? { action: 'accept', content: answer.content ?? {} }
          : { action: answer.action },
      signal,
    )
    .catch((error: unknown) => {
      // The asker relays this to the server as the answer to its request.
      if (error instanceof Withdrawn)
        throw new ProtocolError(ProtocolErrorCode.InternalError, error.message);
      throw error;
    });
}

/** The waiting elicitations as the admin API lists them. */
export function elicitationViews(queue: PersonQueue): ElicitationView[] {
  return queue.list(ELICITATION).map((waiting) => toView(waiting as Waiting<Asked>));
}

function toView({ id, askedAt, view }: Waiting<Asked>): ElicitationView {
  return { ...view, id, askedAt } as ElicitationView;
}

/**
 * A server asked for input outside any call a client made. An elicitation goes to the person;
 * sampling and roots have no one to answer and are refused with a reason.
 */
export async function answerUnrelated(
  queue: PersonQueue,
  server: { slug: string; name: string },
  request: InputRequest,
  signal: AbortSignal,
): Promise<InputResponse> {
  if (request.method === 'elicitation/create')
    return askPersonToElicit(queue, server, undefined, request, signal);
  throw cannotAnswer(request, server.slug);
}
