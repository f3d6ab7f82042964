/**
 * State of the server form, to add a server or edit one: the draft a person is typing, and
 * submitting it to the hub. Editing never shows a secret header's value (the hub does not hand it
 * out): such a header is shown empty, and left empty it keeps the value the hub has.
 */
import type { RemoteTransportKind } from '../../protocol/views.ts';
import type { ServerInput, ServerView } from '../../protocol/admin-api.ts';
import type { HubState } from './hub.svelte.ts';

export interface HeaderDraft {
  /** Stable key for `{#each}`; rows are added and removed in any order. */
  readonly key: number;
  name: string;
  value: string;
  secret: boolean;
  /** Editing: a secret header the hub holds a value for; an empty draft value keeps it. */
  stored: boolean;
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
  /** Empty: the hub derives one from the name. */
  slug = $state('');
  /** Request timeout in seconds, as typed; empty is the default (60 s). */
  timeoutSeconds = $state('');
  headers = $state<HeaderDraft[]>([]);
  /** A problem with the draft itself, found before anything was sent. */
  draftError = $state.raw<string | undefined>(undefined);
  submitting = $state.raw(false);
  /** "Added 'everything'." after a success, for a status line. */
  message = $state.raw<string | undefined>(undefined);

  readonly #hub: HubState;
  #nextKey = 0;

  constructor(
    hub: HubState,
    /** The server being edited; absent: a new one is added. */
    readonly editing?: ServerView,
  ) {
    this.#hub = hub;
    if (editing) this.#load(editing);
  }

  /** The error of the last submit, when it was this form's. */
  get error(): string | undefined {
    if (this.draftError) return this.draftError;
    const mine = this.editing ? 'edit' : 'add';
    return this.#hub.lastErrorAction === mine ? this.#hub.lastError : undefined;
  }

  #load(server: ServerView): void {
    this.url = server.kind === 'remote' ? server.target : '';
    this.name = server.name;
    this.transport = server.transport ?? 'auto';
    this.slug = server.slug;
    this.timeoutSeconds = String(server.timeoutMs / 1000);
    this.headers = server.headers.map((header) => ({
      key: this.#nextKey++,
      name: header.name,
      value: header.secret ? '' : header.value,
      secret: header.secret,
      stored: header.secret,
    }));
  }

  addHeader(): void {
    this.headers.push({ key: this.#nextKey++, name: '', value: '', secret: false, stored: false });
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
    const slug = this.slug.trim();
    const timeout = this.timeoutSeconds.trim();
    let timeoutMs: number | undefined;
    if (timeout !== '') {
      const seconds = Number(timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        throw new Error(
          `The timeout "${timeout}" is not a number of seconds above 0; write e.g. 60, or leave it empty.`,
        );
      }
      timeoutMs = Math.round(seconds * 1000);
    }
    return {
      url: this.url.trim(),
      ...(name ? { name } : {}),
      ...(slug ? { slug } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      transport: this.transport,
      headers: this.headers
        .filter((header) => header.name.trim() !== '')
        .map((header) => ({
          name: header.name.trim(),
          // Left empty, a stored secret keeps its value in the hub.
          ...(header.stored && header.value === '' ? {} : { value: header.value }),
          secret: header.secret,
        })),
    };
  }

  reset(): void {
    this.url = '';
    this.name = '';
    this.transport = 'auto';
    this.slug = '';
    this.timeoutSeconds = '';
    this.headers = [];
  }

  /** Adds or saves; returns whether the hub took it. */
  async submit(): Promise<boolean> {
    if (this.submitting) return false;
    this.message = undefined;
    this.draftError = undefined;
    let input: ServerInput;
    try {
      input = this.toInput();
    } catch (error) {
      this.draftError = (error as Error).message;
      return false;
    }
    this.submitting = true;
    try {
      if (this.editing) {
        const saved = await this.#hub.editServer(this.editing.id, input);
        if (saved) this.message = `Saved '${saved.name}'.`;
        return saved !== undefined;
      }
      const added = await this.#hub.addServer(input);
      if (added) {
        this.message = `Added '${added.name}' (tools are named ${added.slug}__…).`;
        this.reset();
      }
      return added !== undefined;
    } finally {
      this.submitting = false;
    }
  }
}
