/**
 * The connection doctor's state for one server: whether it is running, its last diagnosis, and
 * why it could not run. The probing itself happens elsewhere (src/hub/doctor/doctor.ts, reached through
 * whatever function the page passes in), so this class holds no platform pieces and no secrets.
 */
import type { CheckName, Diagnosis } from '../../protocol/doctor.ts';

export type { CheckName, Diagnosis, Finding } from '../../protocol/doctor.ts';

/** Runs the doctor for a URL with the server's headers (see `diagnose` in src/hub/doctor/doctor.ts). */
export type DiagnoseFn = (
  url: string,
  headers: Array<{ name: string; value: string }>,
) => Promise<Diagnosis>;

/** What each check is called on screen. */
export const CHECK_LABELS: Readonly<Record<CheckName, string>> = {
  address: 'Address',
  reachable: 'Reachable',
  cors: 'Cross-origin access (CORS)',
  mcp: 'MCP handshake',
  session: 'Session',
  'sign-in': 'Sign-in (OAuth)',
};

export class DoctorState {
  running = $state.raw(false);
  diagnosis = $state.raw<Diagnosis | undefined>(undefined);
  error = $state.raw<string | undefined>(undefined);

  constructor(private readonly diagnose: DiagnoseFn) {}

  /** Diagnoses `url`; a second click while one runs is ignored. */
  async run(url: string, headers: Array<{ name: string; value: string }>): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.error = undefined;
    // A finished diagnosis is cleared, so findings on screen always belong to the last run.
    this.diagnosis = undefined;
    try {
      this.diagnosis = await this.diagnose(url, headers);
    } catch (error) {
      this.error = `The connection doctor could not run: ${error instanceof Error ? error.message : String(error)}. Try again; if it keeps failing, reload the dashboard.`;
    } finally {
      this.running = false;
    }
  }

  /** Forgets the last run (for example when the page shows another server). */
  clear(): void {
    if (this.running) return;
    this.diagnosis = undefined;
    this.error = undefined;
  }
}
