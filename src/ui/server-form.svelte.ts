/** State of the add-server form: the draft a person is typing, and submitting it to the hub. */
import type { RemoteTransportKind } from '../hub/types.ts';
import type { ServerInput } from '../worker/admin-api.ts';
import type { HubState } from './hub.svelte.ts';

export interface HeaderDraft {
  /** Stable key for `{#each}`; rows are added and removed in any order. */
  readonly key: number;
  name: string;
  value: string;
  secret: boolean;
}

export const TRANSPORT_OPTIONS: ReadonlyArray<{ value: RemoteTransportKind; label: string }> = [
  { value: 'auto', label: 'Automatic' },
  { value: 'streamable-http', label: 'Streamable HTTP' },
  { value: 'sse', label: 'HTTP+SSE (legacy)' },
];

export class ServerFormState {
  url = $state('');
  name = $state('');
  transport = $state<RemoteTransportKind>('auto');
  headers = $state<HeaderDraft[]>([]);
  submitting = $state.raw(false);
  /** "Added 'everything'." after a success, for a status line. */
  message = $state.raw<string | undefined>(undefined);

  readonly #hub: HubState;
  #nextKey = 0;

  constructor(hub: HubState) {
    this.#hub = hub;
  }

  /** The add error, when the last failed action was this form's. */
  get error(): string | undefined {
    return this.#hub.lastErrorAction === 'add' ? this.#hub.lastError : undefined;
  }

  addHeader(): void {
    this.headers.push({ key: this.#nextKey++, name: '', value: '', secret: false });
  }

  removeHeader(key: number): void {
    this.headers = this.headers.filter((header) => header.key !== key);
  }

  /**
   * What the hub receives. Builds fresh plain objects: the `$state` proxies of the draft cannot be
   * structured-cloned across the worker boundary.
   */
  toInput(): ServerInput {
    const name = this.name.trim();
    return {
      url: this.url.trim(),
      ...(name ? { name } : {}),
      transport: this.transport,
      headers: this.headers
        .filter((header) => header.name.trim() !== '')
        .map((header) => ({
          name: header.name.trim(),
          value: header.value,
          secret: header.secret,
        })),
    };
  }

  reset(): void {
    this.url = '';
    this.name = '';
    this.transport = 'auto';
    this.headers = [];
  }

  async submit(): Promise<void> {
    if (this.submitting) return;
    this.submitting = true;
    this.message = undefined;
    try {
      const added = await this.#hub.addServer(this.toInput());
      if (added) {
        this.message = `Added '${added.name}' (tools are named ${added.slug}__…).`;
        this.reset();
      }
    } finally {
      this.submitting = false;
    }
  }
}
