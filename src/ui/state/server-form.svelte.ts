/**
 * State of the server form, to add a server or edit one: the draft a person is typing, and
 * submitting it to the hub. Editing never shows a secret header's value (the hub does not hand it
 * out): such a header is shown empty, and left empty it keeps the value the hub has. The OAuth
 * client set by hand is never shown either (./oauth-client.ts): its fields start empty.
 */
import type { RemoteTransportKind, ServerEra } from '../../protocol/views.ts';
import type { ServerInput, ServerView } from '../../protocol/admin-api.ts';
import type { HubState } from './hub.svelte.ts';
import { oauthClientInput } from './oauth-client.ts';

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

export const ERA_OPTIONS: ReadonlyArray<{ value: ServerEra; label: string }> = [
  { value: 'auto', label: 'Automatic (2026-07-28, else 2025-11-25)' },
  { value: '2026-07-28', label: '2026-07-28 only' },
  { value: '2025-11-25', label: '2025-11-25 only' },
];

/** Seconds as typed, in ms; empty is undefined (the default). Errors name the field. */
function millisecondsOf(typed: string, what: string, example: number): number | undefined {
  const text = typed.trim();
  if (text === '') return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(
      `The ${what} "${text}" is not a number of seconds above 0; write e.g. ${example}, or leave it empty.`,
    );
  }
  return Math.round(seconds * 1000);
}

export class ServerFormState {
  url = $state('');
  name = $state('');
  transport = $state<RemoteTransportKind>('auto');
  era = $state<ServerEra>('auto');
  /** Empty: the hub derives one from the name. */
  slug = $state('');
  /** Request timeout in seconds, as typed; empty is the default (60 s). */
  timeoutSeconds = $state('');
  /** How long connecting may take in seconds, as typed; empty is the default (15 s). */
  connectTimeoutSeconds = $state('');
  headers = $state<HeaderDraft[]>([]);
  /** A client id registered by hand with the server's authorization server (the stored one, editing). */
  oauthClientId = $state('');
  /** Its secret, as typed (never the stored one: the hub does not hand it out); empty keeps. */
  oauthClientSecret = $state('');
  /** Editing: forget the client set by hand. */
  forgetOAuthClient = $state(false);
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

  /** Editing a server that has a client set by hand (its id is in the view, its secret not). */
  get hasOAuthClient(): boolean {
    return this.editing?.oauthClient !== undefined;
  }

  /** The error of the last submit, when it was this form's. */
  get error(): string | undefined {
    if (this.draftError) return this.draftError;
    const mine = this.editing ? 'edit' : 'add';
    return this.#hub.lastErrorAction === mine ? this.#hub.lastError : undefined;
  }

  #load(server: ServerView): void {
    this.url = server.kind === 'remote' ? server.target : '';
    this.oauthClientId = server.oauthClient?.id ?? '';
    this.name = server.name;
    this.transport = server.transport ?? 'auto';
    this.slug = server.slug;
    this.timeoutSeconds = String(server.timeoutMs / 1000);
    this.era = server.era ?? 'auto';
    this.connectTimeoutSeconds = String(server.connectTimeoutMs / 1000);
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
    const timeoutMs = millisecondsOf(this.timeoutSeconds, 'timeout', 60);
    const connectTimeoutMs = millisecondsOf(this.connectTimeoutSeconds, 'connect timeout', 15);
    return {
      url: this.url.trim(),
      ...(name ? { name } : {}),
      ...(slug ? { slug } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
      transport: this.transport,
      era: this.era,
      ...oauthClientInput({
        id: this.oauthClientId,
        secret: this.oauthClientSecret,
        forget: this.forgetOAuthClient,
      }),
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
    this.era = 'auto';
    this.slug = '';
    this.timeoutSeconds = '';
    this.connectTimeoutSeconds = '';
    this.headers = [];
    this.oauthClientId = '';
    this.oauthClientSecret = '';
    this.forgetOAuthClient = false;
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
        if (saved) {
          this.message = `Saved '${saved.name}'.`;
          // Sent once; a secret has no business staying in the page.
          this.oauthClientSecret = '';
        }
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
