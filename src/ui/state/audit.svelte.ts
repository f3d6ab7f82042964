/**
 * The Audit page's state: the filters, the events the hub returned for them (newest first, at
 * most 500), and the JSON Lines export of everything that matches.
 */
import type { JournalEvent } from '../../protocol/consent.ts';
import { downloadText } from '../app/download.ts';
import { auditQuery, NO_FILTERS, type AuditFilters } from '../audit/query.ts';
import type { HubState } from './hub.svelte.ts';

export class AuditState {
  filters = $state<AuditFilters>({ ...NO_FILTERS });
  events = $state.raw<JournalEvent[]>([]);
  loaded = $state.raw(false);
  error = $state.raw<string | undefined>(undefined);

  constructor(private readonly hub: HubState) {}

  async load(): Promise<void> {
    const query = auditQuery(this.filters);
    try {
      this.events = await this.hub.query((api) => api.auditEvents(query));
      this.error = undefined;
    } catch (failure) {
      this.error = (failure as Error).message;
    } finally {
      this.loaded = true;
    }
  }

  clear(): void {
    this.filters = { ...NO_FILTERS };
    void this.load();
  }

  /** Downloads what matches as JSON Lines (call from a click). */
  async export(): Promise<void> {
    const query = auditQuery(this.filters);
    try {
      const lines = await this.hub.query((api) => api.exportAudit(query));
      downloadText('nexus-audit.jsonl', lines, 'application/x-ndjson');
    } catch (failure) {
      this.error = (failure as Error).message;
    }
  }
}
