/**
 * What the Playground shows for an MCP result, decided without a DOM: every content block, resource
 * and prompt message becomes a plain description that ContentView.svelte renders as text, an
 * `<img>`, an `<audio>`, a link or a download. Results come from servers the person does not
 * control, so every input is `unknown` and checked here, never trusted to match the SDK types:
 * - text is always text (components render it with `{…}`, never as HTML);
 * - images and audio are inlined only as `data:` URLs, only for an allow-list of MIME types, and only
 *   when the payload is real base64 (anything else becomes a described download);
 * - only `http:` and `https:` URIs become links.
 * Pure TypeScript (no runes, no DOM), so it is unit-tested in Node.
 */
import type {
  CallToolResult,
  GetPromptResult,
  ReadResourceResult,
} from '@modelcontextprotocol/client';
import {
  INLINE_AUDIO_TYPES,
  INLINE_IMAGE_TYPES,
  decodedLength,
  downloadName,
  formatBytes,
  linkHref,
  mimeEssence,
  normalizeBase64,
} from './media.ts';
import { isRecord } from './json-tree.ts';

/** Which request produced the result: `tools/call`, `resources/read` or `prompts/get`. */
export type ResultKind = 'tool' | 'resource' | 'prompt';

/**
 * What well-behaved servers send. Every function here still takes `unknown`: a result reaches the
 * Playground from an upstream server through the hub, and its shape is a claim, not a guarantee.
 */
export type McpResult = CallToolResult | ReadResourceResult | GetPromptResult;

/** Binary data: shown inline (`image`, `audio`) or offered as a download (`binary`). */
export type MediaView =
  | { kind: 'image'; mimeType: string; bytes: number; src: string; alt: string; fileName: string }
  | { kind: 'audio'; mimeType: string; bytes: number; src: string; label: string; fileName: string }
  | {
      kind: 'binary';
      /** The declared type as the server sent it (for display only; never used as a Blob type). */
      mimeType: string | undefined;
      /** Size of the decoded data; undefined when the payload is not valid base64. */
      bytes: number | undefined;
      /** The payload as `normalizeBase64` returns it; undefined when it is not valid base64. */
      base64: string | undefined;
      /** One sentence for a person: what this is and why it is not shown. */
      description: string;
      fileName: string;
    };

/** A `resource` block's contents or one entry of a `resources/read` result. */
export interface ResourceView {
  kind: 'resource';
  uri: string;
  /** Set only when the URI is safe to link (see `linkHref`). */
  href: string | undefined;
  mimeType: string | undefined;
  body: { kind: 'text'; text: string } | MediaView;
  note: string | undefined;
}

/** One content block (or resource, or prompt message content) as the Playground shows it. */
export type BlockView =
  | { kind: 'text'; text: string; note: string | undefined }
  | (MediaView & { note?: string | undefined })
  | {
      kind: 'link';
      uri: string;
      href: string | undefined;
      /** `title`, else `name`, else the URI: what the link reads. */
      label: string;
      name: string | undefined;
      title: string | undefined;
      mimeType: string | undefined;
      description: string | undefined;
      size: string | undefined;
      note: string | undefined;
    }
  | ResourceView
  | {
      /** A block Nexus does not know (or a malformed one): kept and shown as JSON, never dropped. */
      kind: 'unknown';
      reason: string;
      raw: unknown;
    };

export interface ResultItem {
  /** Stable within one result, for `{#each}` keys. */
  key: string;
  /** Prompt messages only: `user`, `assistant`, or whatever the server sent. */
  role: string | undefined;
  view: BlockView;
}

/** A whole result, normalized. Optional JSON parts are boxed so a `null` value still shows. */
export interface ResultView {
  kind: ResultKind;
  /** `CallToolResult.isError === true`: the tool ran and reported a failure. */
  isError: boolean;
  /** `GetPromptResult.description`. */
  description: string | undefined;
  items: ResultItem[];
  structuredContent: { value: unknown } | undefined;
  /** `toolResult` of protocol 2024-10-07 servers (the SDK's CompatibilityCallToolResult). */
  legacyToolResult: { value: unknown } | undefined;
  meta: { value: unknown } | undefined;
  /** Ways the result does not match its shape, in words ("The result has no content list."). */
  problems: string[];
}

// --- blocks -------------------------------------------------------------------------------------

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A server's word quoted inside one of our sentences, cut short so it cannot drown the sentence. */
function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * An `<img>` alt text the server supplied in the block's annotations. The spec's annotations have no
 * alt field, so this reads the non-standard `alt`, `title` or `description` some servers add, and
 * caps it: it is read aloud.
 */
function annotatedAlt(annotations: unknown): string | undefined {
  if (!isRecord(annotations)) return undefined;
  for (const key of ['alt', 'title', 'description']) {
    const text = optionalString(annotations[key])?.trim();
    if (text) return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  }
  return undefined;
}

/** The spec's annotations in words: "For the user · priority 0.8 · modified 2025-05-01T10:00:00Z". */
export function annotationsNote(annotations: unknown): string | undefined {
  if (!isRecord(annotations)) return undefined;
  const parts: string[] = [];
  const audience = Array.isArray(annotations.audience)
    ? annotations.audience.filter((role): role is string => typeof role === 'string')
    : [];
  if (audience.length > 0) parts.push(`For the ${audience.join(' and the ')}`);
  if (typeof annotations.priority === 'number' && Number.isFinite(annotations.priority)) {
    parts.push(`priority ${annotations.priority}`);
  }
  const modified = optionalString(annotations.lastModified);
  if (modified) parts.push(`modified ${modified}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** What `mediaView` needs to describe one payload. */
export interface MediaInput {
  /** What may be inlined: an `image` block only as an image, a resource blob as either. */
  allow: 'image' | 'audio' | 'any';
  mimeType: unknown;
  data: unknown;
  /** "Image from the server", "Image resource file:///logo.png". */
  what: { image: string; audio: string };
  alt?: string | undefined;
  uri?: string | undefined;
  fallbackName: string;
}

/** Inline image, inline audio, or a described download for binary data. */
export function mediaView(source: MediaInput): MediaView {
  const essence = mimeEssence(source.mimeType);
  const declared = optionalString(source.mimeType);
  const ofType = essence || declared ? `of type ${essence ?? clip(declared!)}` : 'of unknown type';
  const fileName = downloadName(source.uri, essence, source.fallbackName);
  const b64 = normalizeBase64(source.data);
  if (b64 === undefined) {
    const length = typeof source.data === 'string' ? `${source.data.length} characters` : 'no data';
    return {
      kind: 'binary',
      mimeType: declared,
      bytes: undefined,
      base64: undefined,
      description: `Content ${ofType} that is not valid base64 (${length}), so Nexus can neither show nor save it.`,
      fileName,
    };
  }
  const bytes = decodedLength(b64);
  const size = formatBytes(bytes);
  if (essence && source.allow !== 'audio' && INLINE_IMAGE_TYPES.has(essence)) {
    return {
      kind: 'image',
      mimeType: essence,
      bytes,
      src: `data:${essence};base64,${b64}`,
      alt: source.alt ?? `${source.what.image} (${essence}, ${size})`,
      fileName,
    };
  }
  if (essence && source.allow !== 'image' && INLINE_AUDIO_TYPES.has(essence)) {
    return {
      kind: 'audio',
      mimeType: essence,
      bytes,
      src: `data:${essence};base64,${b64}`,
      label: `${source.what.audio} (${essence}, ${size})`,
      fileName,
    };
  }
  return {
    kind: 'binary',
    mimeType: declared,
    bytes,
    base64: b64,
    description: `Binary content ${ofType}, ${size}.`,
    fileName,
  };
}

/** A resource's contents (embedded in a block or read with `resources/read`). */
export function resourceView(contents: unknown, note?: string): BlockView {
  if (!isRecord(contents) || typeof contents.uri !== 'string') {
    return unknownView(contents, 'A resource without a URI, shown as JSON.');
  }
  const { uri } = contents;
  const mimeType = optionalString(contents.mimeType);
  let body: ResourceView['body'];
  if (typeof contents.text === 'string') {
    body = { kind: 'text', text: contents.text };
  } else if ('blob' in contents) {
    body = mediaView({
      allow: 'any',
      mimeType,
      data: contents.blob,
      what: { image: `Image resource ${uri}`, audio: `Audio resource ${uri}` },
      uri,
      fallbackName: 'resource',
    });
  } else {
    return unknownView(contents, `The resource ${uri} has neither text nor blob, shown as JSON.`);
  }
  return { kind: 'resource', uri, href: linkHref(uri), mimeType, body, note };
}

function unknownView(raw: unknown, reason: string): BlockView {
  return { kind: 'unknown', reason, raw };
}

/** One content block of a tool result or prompt message. */
export function blockView(block: unknown): BlockView {
  if (!isRecord(block)) {
    return unknownView(block, 'A content block that is not an object, shown as JSON.');
  }
  const note = annotationsNote(block.annotations);
  switch (block.type) {
    case 'text':
      if (typeof block.text !== 'string') break;
      return { kind: 'text', text: block.text, note };
    case 'image':
    case 'audio':
      return {
        ...mediaView({
          allow: block.type,
          mimeType: block.mimeType,
          data: block.data,
          what: { image: 'Image from the server', audio: 'Audio from the server' },
          alt: annotatedAlt(block.annotations),
          fallbackName: block.type,
        }),
        note,
      };
    case 'resource_link': {
      if (typeof block.uri !== 'string') break;
      const name = optionalString(block.name);
      const title = optionalString(block.title);
      const { size } = block;
      const validSize = typeof size === 'number' && Number.isFinite(size) && size >= 0;
      return {
        kind: 'link',
        uri: block.uri,
        href: linkHref(block.uri),
        label: title ?? name ?? block.uri,
        name,
        title,
        mimeType: optionalString(block.mimeType),
        description: optionalString(block.description),
        size: validSize ? formatBytes(size) : undefined,
        note,
      };
    }
    case 'resource':
      return resourceView(block.resource, note);
    default: {
      const type = typeof block.type === 'string' ? `"${clip(block.type)}"` : 'no';
      return unknownView(
        block,
        `A content block of ${type} type that Nexus does not display, shown as JSON.`,
      );
    }
  }
  return unknownView(block, `A malformed "${String(block.type)}" block, shown as JSON.`);
}

// --- results ----------------------------------------------------------------------------------

/** "User", "Assistant", or the server's own word for a role nobody defined. */
export function roleLabel(role: unknown): string {
  if (role === 'user') return 'User';
  if (role === 'assistant') return 'Assistant';
  return typeof role === 'string' && role ? `Role: ${role}` : 'No role given';
}

const LIST_OF: Record<ResultKind, { field: string; what: string }> = {
  tool: { field: 'content', what: 'content list' },
  resource: { field: 'contents', what: 'contents list' },
  prompt: { field: 'messages', what: 'message list' },
};

/** Normalizes a `CallToolResult`, `ReadResourceResult` or `GetPromptResult` for display. */
export function normalizeResult(kind: ResultKind, result: unknown): ResultView {
  const view: ResultView = {
    kind,
    isError: false,
    description: undefined,
    items: [],
    structuredContent: undefined,
    legacyToolResult: undefined,
    meta: undefined,
    problems: [],
  };
  if (!isRecord(result)) {
    view.problems.push(
      'The server returned a result that is not a JSON object; see the raw result.',
    );
    return view;
  }
  if ('_meta' in result) view.meta = { value: result._meta };
  const { field, what } = LIST_OF[kind];
  const list = result[field];
  if (kind === 'tool') {
    view.isError = result.isError === true;
    if ('structuredContent' in result) view.structuredContent = { value: result.structuredContent };
    if ('toolResult' in result) view.legacyToolResult = { value: result.toolResult };
  }
  if (kind === 'prompt') view.description = optionalString(result.description);
  if (list === undefined && (view.structuredContent || view.legacyToolResult)) return view;
  if (!Array.isArray(list)) {
    view.problems.push(`The result has no ${what} ("${field}"); see the raw result.`);
    return view;
  }
  view.items = list.flatMap((entry: unknown, index): ResultItem[] => {
    const key = String(index);
    if (kind === 'tool') return [{ key, role: undefined, view: blockView(entry) }];
    if (kind === 'resource') return [{ key, role: undefined, view: resourceView(entry) }];
    if (!isRecord(entry)) {
      const reason = 'A prompt message that is not an object, shown as JSON.';
      return [{ key, role: undefined, view: unknownView(entry, reason) }];
    }
    const role = roleLabel(entry.role);
    // The spec gives a message exactly one block; a server that sends a list still gets every
    // block shown, each under the message's role, rather than one JSON lump.
    if (Array.isArray(entry.content) && entry.content.length > 0) {
      return entry.content.map((block: unknown, j) => ({
        key: `${key}.${j}`,
        role,
        view: blockView(block),
      }));
    }
    return [{ key, role, view: blockView(entry.content) }];
  });
  return view;
}

/** "The tool returned no content." and friends, for an empty list. */
export function emptyText(kind: ResultKind): string {
  if (kind === 'tool') return 'The tool returned no content.';
  if (kind === 'resource') return 'The resource has no contents.';
  return 'The prompt has no messages.';
}

export * from './media.ts';
export * from './json-tree.ts';
