/**
 * The built-in server: registered by default so the hub is useful with no network. A small notes
 * store (kept wherever the NotesStore puts it: IndexedDB in the browser) and a clock. It is an
 * ordinary MCP server; the hub reaches it over an in-memory transport like any other upstream.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
import * as z from 'zod';
import type { Clock, Note, NotesStore } from '../ports.ts';

export const NOTES_URI_PREFIX = 'nexus-note://';

function noteUri(id: string): string {
  return `${NOTES_URI_PREFIX}${encodeURIComponent(id)}`;
}

function summary(note: Note): string {
  return `${note.id}: ${note.title}`;
}

/**
 * Formatters per time zone ('' for the machine's), each with the last second it formatted.
 * Building an `Intl.DateTimeFormat` costs ~10× formatting with one (78 vs 8 µs in Node;
 * `toLocaleString` with options builds one per call), and it was a third of the hub worker's time
 * under load (`npm run bench -- --profile`); formatting itself was still 5 %, and the text only
 * changes once a second. The machine's zone is read when its formatter is built, so a change of
 * it shows after the hub restarts.
 */
const formatters = new Map<string, { format: Intl.DateTimeFormat; second: number; text: string }>();
/** Enough for every zone a person uses; spellings differ in case, so names are not a fixed set. */
const MAX_FORMATTERS = 64;

/** `at` as `toLocaleString('en-GB', …)` shows it in `timeZone`; throws a RangeError for a zone
 * Intl does not know. */
function localTime(at: Date, timeZone: string | undefined): string {
  const key = timeZone ?? '';
  let kept = formatters.get(key);
  if (!kept) {
    // The fields `toLocaleString` shows by default, spelled out (the same text, checked in a test).
    const format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      timeZoneName: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.delete(formatters.keys().next().value!);
    kept = { format, second: Number.NaN, text: '' };
    formatters.set(key, kept);
  }
  const second = Math.floor(at.getTime() / 1000);
  if (second !== kept.second) {
    kept.text = kept.format.format(at);
    kept.second = second;
  }
  return kept.text;
}

function text(value: string) {
  return { content: [{ type: 'text' as const, text: value }] };
}

/** Builds one server instance (the hub makes a fresh one per connection). */
export function createNotesServer(notes: NotesStore, clock: Clock, newId: () => string): McpServer {
  const server = new McpServer(
    { name: 'nexus-builtin', title: 'Nexus built-in notes and clock', version: '0.1.0' },
    {
      capabilities: { tools: { listChanged: true }, resources: { listChanged: true } },
      instructions:
        'Notes kept in this browser (add, list, search, delete; each note is also a resource) and the current time.',
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    },
  );

  const changed = () => void server.sendResourceListChanged();

  server.registerTool(
    'add_note',
    {
      title: 'Add a note',
      description: 'Stores a note in this browser and returns its id.',
      inputSchema: z.object({
        title: z.string().min(1).describe('A short title'),
        body: z.string().describe('The text of the note'),
      }),
    },
    async ({ title, body }) => {
      const now = clock.now();
      const note: Note = { id: newId(), title, body, createdAt: now, updatedAt: now };
      await notes.put(note);
      changed();
      return {
        content: [
          { type: 'text', text: `Added note ${note.id}.` },
          {
            type: 'resource_link',
            uri: noteUri(note.id),
            name: note.title,
            mimeType: 'text/plain',
          },
        ],
      };
    },
  );

  server.registerTool(
    'list_notes',
    {
      title: 'List notes',
      description: 'Lists every note as "id: title", newest first.',
      annotations: { readOnlyHint: true },
    },
    async () => {
      const all = (await notes.list()).sort((a, b) => b.createdAt - a.createdAt);
      return text(all.length === 0 ? 'No notes yet.' : all.map(summary).join('\n'));
    },
  );

  server.registerTool(
    'search_notes',
    {
      title: 'Search notes',
      description: 'Finds notes whose title or body contains the query (case-insensitive).',
      inputSchema: z.object({ query: z.string().min(1) }),
      annotations: { readOnlyHint: true },
    },
    async ({ query }) => {
      const needle = query.toLocaleLowerCase();
      const hits = (await notes.list()).filter(
        (note) =>
          note.title.toLocaleLowerCase().includes(needle) ||
          note.body.toLocaleLowerCase().includes(needle),
      );
      return text(
        hits.length === 0
          ? `No note contains "${query}".`
          : hits.map((note) => `${summary(note)}\n${note.body}`).join('\n\n'),
      );
    },
  );

  server.registerTool(
    'delete_note',
    {
      title: 'Delete a note',
      description: 'Deletes the note with this id.',
      inputSchema: z.object({ id: z.string().min(1) }),
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    async ({ id }) => {
      const existed = await notes.delete(id);
      if (!existed) {
        return { ...text(`No note has id ${id}; list_notes shows the ids.`), isError: true };
      }
      changed();
      return text(`Deleted note ${id}.`);
    },
  );

  server.registerTool(
    'clock',
    {
      title: 'Current time',
      description:
        'Returns the current date and time as ISO 8601 (UTC) and in the given IANA time zone.',
      inputSchema: z.object({
        timeZone: z.string().optional().describe('An IANA time zone such as Europe/Paris'),
      }),
      annotations: { readOnlyHint: true },
    },
    async ({ timeZone }) => {
      const now = new Date(clock.now());
      let local: string;
      try {
        local = localTime(now, timeZone);
      } catch {
        return {
          ...text(`Unknown time zone "${timeZone}". Use a name like Europe/Paris.`),
          isError: true,
        };
      }
      return text(`${now.toISOString()} (${timeZone ?? 'local'}: ${local})`);
    },
  );

  server.registerResource(
    'note',
    new ResourceTemplate(`${NOTES_URI_PREFIX}{id}`, {
      list: async () => ({
        resources: (await notes.list()).map((note) => ({
          uri: noteUri(note.id),
          name: note.title,
          mimeType: 'text/plain',
        })),
      }),
    }),
    {
      title: 'A note',
      description: 'One note kept by the built-in server',
      mimeType: 'text/plain',
    },
    async (uri, variables) => {
      const id = decodeURIComponent(String(variables.id));
      const note = await notes.get(id);
      if (!note) throw new Error(`No note has id ${id}.`);
      return {
        contents: [
          { uri: uri.href, mimeType: 'text/plain', text: `${note.title}\n\n${note.body}` },
        ],
      };
    },
  );

  return server;
}
