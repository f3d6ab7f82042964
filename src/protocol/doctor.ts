/**
 * What the connection doctor reports (src/hub/doctor/): the admin API hands a `Diagnosis` to the
 * dashboard, which shows each finding and the header lines a server must send.
 */
/** Which step produced a finding, in the order they run. */
export type CheckName = 'address' | 'reachable' | 'cors' | 'mcp' | 'session' | 'sign-in';

/** What went wrong, for code that reacts to a finding (the UI, tests). */
export type ProblemKind =
  | 'invalid-address'
  | 'mixed-content'
  | 'unreachable'
  | 'timeout'
  | 'cors-origin'
  | 'cors-preflight'
  | 'cors-expose'
  | 'auth'
  | 'wrong-path'
  | 'legacy-transport'
  | 'bad-request'
  | 'server-error'
  | 'not-mcp'
  | 'session';

export interface Finding {
  check: CheckName;
  ok: boolean;
  /** What the check found, as a sentence for a person. Never contains a header value. */
  detail: string;
  /** What to do about it (only when something is wrong). */
  fix?: string;
  /** The exact header lines the server must send, to copy into its configuration. */
  headerLines?: string[];
  /** Set when `ok` is false. */
  problem?: ProblemKind;
}

export interface Diagnosis {
  /** Every check that ran passed. */
  ok: boolean;
  /** One sentence: what works, or the first thing that does not. */
  summary: string;
  /** One per check that ran; the checks stop at the first problem that hides the rest. */
  findings: Finding[];
  /** What the server said about itself, when the handshake worked. */
  server?: { name: string; version: string; protocolVersion: string };
}
