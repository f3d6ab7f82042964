/**
 * Where the journal room listens: what sessions and upstreams report (traffic, refusals, actions,
 * input asked during a call, calls started) turned into the Inspector's protocol log, the audit
 * journal and the activity figures. One place, so the hub only wires it.
 */
import type { SessionEvents } from '../downstream/session.ts';
import type { ConsentPolicy } from '../policy/consent-policy.ts';
import type { Clock } from '../ports.ts';
import type { Router } from '../router/router.ts';
import type { UpstreamDeps } from '../upstream/upstream.ts';
import type { Activity } from './activity.ts';
import type { AuditJournal } from './audit.ts';
import { auditOfAction, securityOfRefusal } from './audit-events.ts';
import type { ProtocolRecorder } from './recorder.ts';

export interface JournalHooksOptions {
  recorder: ProtocolRecorder;
  audit: AuditJournal;
  activity: Activity;
  router: Router;
  clock: Clock;
  /** The person's policy, when the hub runs with it: audit events then name the rule applied. */
  consent: ConsentPolicy | undefined;
}

type SessionJournal = Required<
  Pick<SessionEvents, 'traffic' | 'refused' | 'acted' | 'inputAsked' | 'callStarted'>
>;

/** What every session reports to the journal. */
export function sessionJournal(options: JournalHooksOptions): SessionJournal {
  const { recorder, audit, activity, router, clock, consent } = options;
  return {
    traffic: (direction, from, message, rejection) =>
      recorder.inspector.record(
        'client',
        direction,
        { sessionId: from.id, clientName: from.principal.clientName },
        message,
        rejection,
      ),
    refused: (principal, action, verdict, what) =>
      audit.record(securityOfRefusal(principal, action, verdict, what, router)),
    acted: (principal, action, acted) =>
      audit.record(auditOfAction(principal, action, acted, router, consent)),
    inputAsked: (session, serverId, method, answeredBy) =>
      audit.record({
        kind: 'audit',
        event: method,
        method,
        ...session.principal,
        serverId,
        serverSlug: router.slugOf(serverId),
        detail: `asked during a call; answered by ${answeredBy === 'nobody' ? 'nobody (refused)' : `the ${answeredBy}`}`,
      }),
    callStarted: (serverId) => {
      const started = clock.monotonic();
      return (ok) => activity.record(serverId, clock.monotonic() - started, ok);
    },
  };
}

/** What every upstream's traffic becomes: entries of the Inspector's protocol log. */
export function upstreamTraffic(
  recorder: ProtocolRecorder,
): NonNullable<UpstreamDeps['onTraffic']> {
  return (source, direction, message, note) =>
    recorder.inspector.record(
      'server',
      direction,
      { serverId: source.id, serverSlug: source.entry.slug },
      message,
      undefined,
      note,
    );
}
