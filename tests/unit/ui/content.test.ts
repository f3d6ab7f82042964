import type {
  CallToolResult,
  ContentBlock,
  GetPromptResult,
  ReadResourceResult,
} from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import {
  annotationsNote,
  base64ByteLength,
  blockView,
  decodeBase64,
  downloadName,
  emptyText,
  formatBytes,
  jsonSummary,
  jsonType,
  linkHref,
  mimeEssence,
  normalizeBase64,
  normalizeResult,
  resourceView,
  roleLabel,
  searchJson,
  toJsonText,
  valueAt,
  visibleCount,
  type BlockView,
} from '../../../src/ui/content/content.ts';

/** 1×1 transparent PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const PNG_BYTES = 68;
/** `<svg xmlns="http://www.w3.org/2000/svg"/>` */
const SVG = btoa('<svg xmlns="http://www.w3.org/2000/svg"/>');
const HTML = btoa('<script>alert(1)</script>');
/** 12 bytes of "RIFF....WAVE", enough to stand for a WAV header here. */
const WAV = btoa('RIFF\0\0\0\0WAVE');

/** Narrows a view to one kind, failing the test with the view it got otherwise. */
function as<K extends BlockView['kind']>(
  view: BlockView,
  kind: K,
): Extract<BlockView, { kind: K }> {
  expect(view.kind, JSON.stringify(view)).toBe(kind);
  return view as Extract<BlockView, { kind: K }>;
}

describe('content blocks', () => {
  it('a text block stays text, markup and all', () => {
    const block: ContentBlock = { type: 'text', text: '<img src=x onerror=alert(1)>\nline 2' };
    const view = as(blockView(block), 'text');
    expect(view.text).toBe('<img src=x onerror=alert(1)>\nline 2');
  });

  it('a PNG image becomes a data: URL with a size in its default alt text', () => {
    const block: ContentBlock = { type: 'image', data: PNG, mimeType: 'image/png' };
    const view = as(blockView(block), 'image');
    expect(view.src).toBe(`data:image/png;base64,${PNG}`);
    expect(view.bytes).toBe(PNG_BYTES);
    expect(view.alt).toBe('Image from the server (image/png, 68 bytes)');
  });

  it('an image takes its alt text from its annotations when the server gives one', () => {
    const block = {
      type: 'image',
      data: PNG,
      mimeType: 'image/png',
      annotations: { alt: 'A red square' },
    };
    expect(as(blockView(block), 'image').alt).toBe('A red square');
  });

  it('an SVG image is shown inline (scripts do not run inside <img>)', () => {
    const view = as(blockView({ type: 'image', data: SVG, mimeType: 'image/svg+xml' }), 'image');
    expect(view.src).toBe(`data:image/svg+xml;base64,${SVG}`);
  });

  it('a text/html "image" is a described download, never inline', () => {
    const view = as(blockView({ type: 'image', data: HTML, mimeType: 'text/html' }), 'binary');
    expect(view.description).toBe('Binary content of type text/html, 25 bytes.');
    expect(view.base64).toBe(HTML);
    expect(view.fileName).toBe('image.bin');
    expect(JSON.stringify(view)).not.toContain('data:');
  });

  it('an image block is not inlined as audio, nor an audio block as an image', () => {
    expect(blockView({ type: 'image', data: WAV, mimeType: 'audio/wav' }).kind).toBe('binary');
    expect(blockView({ type: 'audio', data: PNG, mimeType: 'image/png' }).kind).toBe('binary');
  });

  it('MIME parameters and case never reach the data: URL', () => {
    const view = as(
      blockView({ type: 'image', data: PNG, mimeType: 'Image/PNG; x=";base64,PHNjcmlwdD4="' }),
      'image',
    );
    expect(view.src).toBe(`data:image/png;base64,${PNG}`);
  });

  it('audio becomes a data: URL with an accessible label', () => {
    const block: ContentBlock = { type: 'audio', data: WAV, mimeType: 'audio/wav' };
    const view = as(blockView(block), 'audio');
    expect(view.src).toBe(`data:audio/wav;base64,${WAV}`);
    expect(view.label).toBe('Audio from the server (audio/wav, 12 bytes)');
  });

  it.each([
    'audio/mpeg',
    'audio/mp3',
    'audio/ogg',
    'audio/webm',
    'audio/aac',
    'audio/flac',
    'audio/mp4',
  ])('%s audio plays inline', (mimeType) => {
    expect(blockView({ type: 'audio', data: WAV, mimeType }).kind).toBe('audio');
  });

  it.each(['image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp'])(
    '%s images show inline',
    (mimeType) => {
      expect(blockView({ type: 'image', data: PNG, mimeType }).kind).toBe('image');
    },
  );

  it('application/octet-stream audio is a download', () => {
    const view = as(
      blockView({ type: 'audio', data: WAV, mimeType: 'application/octet-stream' }),
      'binary',
    );
    expect(view.description).toBe('Binary content of type application/octet-stream, 12 bytes.');
    expect(view.fileName).toBe('audio.bin');
  });

  it.each([
    ['a character outside the alphabet', 'iVBOR<w0KGgo='],
    ['base64url characters', 'iVBOR-w0KGgo_'],
    ['padding in the middle', 'iV==BORw0KGgo'],
    ['a length of 4n+1', 'iVBORw0KG'],
    ['three padding characters', 'iVBORw0K==='],
    ['a data: URL instead of base64', `data:image/png;base64,${PNG}`],
  ])('malformed base64 (%s) is neither shown nor offered for download', (_what, data) => {
    const view = as(blockView({ type: 'image', data, mimeType: 'image/png' }), 'binary');
    expect(view.base64).toBeUndefined();
    expect(view.bytes).toBeUndefined();
    expect(view.description).toBe(
      `Content of type image/png that is not valid base64 (${data.length} characters), so Nexus can neither show nor save it.`,
    );
  });

  it('a blob without a MIME type is binary of unknown type', () => {
    const view = as(resourceView({ uri: 'mem://x/data', blob: 'AAEC' }), 'resource');
    expect(view.body).toMatchObject({
      kind: 'binary',
      mimeType: undefined,
      bytes: 3,
      description: 'Binary content of unknown type, 3 bytes.',
    });
  });

  it('a server cannot flood the description with a long type name', () => {
    const view = as(blockView({ type: 'x'.repeat(10_000) }), 'unknown');
    expect(view.reason.length).toBeLessThan(200);
  });

  it('an image whose data is not a string is described, not shown', () => {
    const view = as(blockView({ type: 'image', data: 42, mimeType: 'image/png' }), 'binary');
    expect(view.description).toContain('not valid base64 (no data)');
  });

  it('a resource link to an https URL is a link with its details', () => {
    const block: ContentBlock = {
      type: 'resource_link',
      uri: 'https://example.com/report.pdf',
      name: 'report.pdf',
      title: 'Quarterly report',
      mimeType: 'application/pdf',
      description: 'Q3 numbers',
      size: 2048,
    };
    expect(blockView(block)).toEqual({
      kind: 'link',
      uri: 'https://example.com/report.pdf',
      href: 'https://example.com/report.pdf',
      label: 'Quarterly report',
      name: 'report.pdf',
      title: 'Quarterly report',
      mimeType: 'application/pdf',
      description: 'Q3 numbers',
      size: '2 KB',
      note: undefined,
    });
  });

  it('a resource link with another scheme is text, labelled by its name', () => {
    const block: ContentBlock = {
      type: 'resource_link',
      uri: 'file:///etc/passwd',
      name: 'passwd',
    };
    const view = as(blockView(block), 'link');
    expect(view.href).toBeUndefined();
    expect(view.label).toBe('passwd');
  });

  it('an embedded text resource shows its URI and text', () => {
    const block: ContentBlock = {
      type: 'resource',
      resource: { uri: 'note://today', mimeType: 'text/html', text: '<b>hi</b>' },
    };
    const view = as(blockView(block), 'resource');
    expect(view.uri).toBe('note://today');
    expect(view.href).toBeUndefined();
    expect(view.mimeType).toBe('text/html');
    expect(view.body).toEqual({ kind: 'text', text: '<b>hi</b>' });
  });

  it('an embedded image blob is shown inline, an embedded HTML blob is a named download', () => {
    const image = as(
      blockView({
        type: 'resource',
        resource: { uri: 'https://example.com/a/logo.png', mimeType: 'image/png', blob: PNG },
      }),
      'resource',
    );
    expect(image.href).toBe('https://example.com/a/logo.png');
    expect(image.body).toMatchObject({
      kind: 'image',
      alt: 'Image resource https://example.com/a/logo.png (image/png, 68 bytes)',
    });

    const page = as(
      blockView({
        type: 'resource',
        resource: { uri: 'ui://widget/page%20one.html', mimeType: 'text/html', blob: HTML },
      }),
      'resource',
    );
    expect(page.body).toMatchObject({
      kind: 'binary',
      fileName: 'page one.html',
      description: 'Binary content of type text/html, 25 bytes.',
    });
  });

  it('an embedded audio blob plays inline', () => {
    const view = as(
      resourceView({ uri: 'mem://beep.wav', mimeType: 'audio/wav', blob: WAV }),
      'resource',
    );
    expect(view.body).toMatchObject({
      kind: 'audio',
      label: 'Audio resource mem://beep.wav (audio/wav, 12 bytes)',
    });
  });

  it('unknown content types are kept as JSON, not dropped', () => {
    const block = { type: 'tool_use', id: 't1', name: 'search', input: { q: 'x' } };
    const view = as(blockView(block), 'unknown');
    expect(view.raw).toBe(block);
    expect(view.reason).toBe(
      'A content block of "tool_use" type that Nexus does not display, shown as JSON.',
    );
  });

  it('malformed known blocks and non-objects are kept as JSON too', () => {
    expect(as(blockView({ type: 'text', text: 5 }), 'unknown').reason).toBe(
      'A malformed "text" block, shown as JSON.',
    );
    expect(blockView({ type: 'resource_link', name: 'x' }).kind).toBe('unknown');
    expect(blockView({ type: 'resource', resource: { uri: 'a://b' } }).kind).toBe('unknown');
    expect(blockView({ type: 'resource', resource: 'a://b' }).kind).toBe('unknown');
    expect(as(blockView('just a string'), 'unknown').raw).toBe('just a string');
    expect(as(blockView({ text: 'no type' }), 'unknown').reason).toContain('of no type');
  });

  it('annotations are put into words', () => {
    expect(
      annotationsNote({
        audience: ['user', 'assistant'],
        priority: 0.8,
        lastModified: '2025-05-01T10:00:00Z',
      }),
    ).toBe('For the user and the assistant · priority 0.8 · modified 2025-05-01T10:00:00Z');
    expect(annotationsNote({})).toBeUndefined();
    expect(annotationsNote('loud')).toBeUndefined();
    const view = as(blockView({ type: 'text', text: 'x', annotations: { priority: 1 } }), 'text');
    expect(view.note).toBe('priority 1');
  });
});

describe('links', () => {
  it.each([
    ['http://example.com/a?b=c#d', 'http://example.com/a?b=c#d'],
    ['https://example.com', 'https://example.com/'],
    ['HTTPS://Example.COM/x', 'https://example.com/x'],
  ])('%s may be a link', (uri, href) => {
    expect(linkHref(uri)).toBe(href);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' \tjavascript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'blob:https://example.com/uuid',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    'ui://widget/x',
    '/relative/path',
    '//example.com/protocol-relative',
    'example.com',
    '',
  ])('%j stays text', (uri) => {
    expect(linkHref(uri)).toBeUndefined();
  });

  it('a URI that is not a string is never a link', () => {
    expect(linkHref(undefined)).toBeUndefined();
    expect(linkHref({ toString: () => 'https://example.com' })).toBeUndefined();
  });
});

describe('base64 and sizes', () => {
  it('counts decoded bytes with and without padding', () => {
    expect(base64ByteLength('')).toBe(0);
    expect(base64ByteLength('YQ==')).toBe(1);
    expect(base64ByteLength('YQ')).toBe(1);
    expect(base64ByteLength('YWI=')).toBe(2);
    expect(base64ByteLength('YWJj')).toBe(3);
    expect(base64ByteLength(PNG)).toBe(PNG_BYTES);
    expect(base64ByteLength('YW J\njYQ==')).toBe(4);
    expect(base64ByteLength('Y')).toBeUndefined();
    expect(base64ByteLength(null)).toBeUndefined();
  });

  it('agrees with atob on what is valid', () => {
    for (const data of ['', 'YQ', 'YQ=', 'YQ==', 'YWJj', 'Y', 'YQ===', 'Y=Q=', 'YW\tJj', 'Y-Q_']) {
      let decodes: boolean;
      try {
        atob(data);
        decodes = true;
      } catch {
        decodes = false;
      }
      expect(normalizeBase64(data) !== undefined, data).toBe(decodes);
    }
  });

  it('removes whitespace, completes the padding and keeps the data', () => {
    expect(normalizeBase64(' YW J\njYQ== ')).toBe('YWJjYQ==');
    expect(normalizeBase64('YWJjYQ')).toBe('YWJjYQ==');
    expect(Array.from(decodeBase64('YWJjYQ=='))).toEqual([97, 98, 99, 97]);
    expect(decodeBase64(PNG)).toHaveLength(PNG_BYTES);
  });

  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [12 * 1024 + 100, '12 KB'],
    [1024 * 1024 - 1, '1 MB'],
    [3.2 * 1024 * 1024, '3.2 MB'],
    [5 * 1024 ** 4, '5 TB'],
    [-1, 'unknown size'],
    [Number.NaN, 'unknown size'],
  ])('%d bytes reads "%s"', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('a resource link with a nonsense size shows none', () => {
    const view = as(
      blockView({ type: 'resource_link', uri: 'a://b', name: 'b', size: -5 }),
      'link',
    );
    expect(view.size).toBeUndefined();
  });
});

describe('MIME types and file names', () => {
  it('keeps only a well-formed type essence', () => {
    expect(mimeEssence(' Audio/WAV ; codecs=1')).toBe('audio/wav');
    expect(mimeEssence('image/svg+xml')).toBe('image/svg+xml');
    expect(mimeEssence('image')).toBeUndefined();
    expect(mimeEssence('image/png,evil')).toBeUndefined();
    expect(mimeEssence(7)).toBeUndefined();
  });

  it('names downloads after the URI, without paths or hidden characters', () => {
    expect(downloadName('file:///home/me/data.csv?x=1#top', 'text/csv', 'resource')).toBe(
      'data.csv',
    );
    expect(downloadName('mem://a/..%2F..%2Fetc%2Fpasswd', undefined, 'resource')).toBe(
      '_.._etc_passwd',
    );
    expect(downloadName('mem://x/invoice\u202Efdp.exe', undefined, 'resource')).toBe(
      'invoice_fdp.exe',
    );
    expect(downloadName('mem://x/', 'image/png', 'resource')).toBe('resource.png');
    expect(downloadName(undefined, 'application/x-unknown', 'image')).toBe('image.bin');
    expect(downloadName('mem://x/%E0%A4%A', 'audio/mpeg', 'audio')).toBe('%E0%A4%A.mp3');
    expect(downloadName('mem://x/report', 'application/pdf', 'resource')).toBe('report.pdf');
  });
});

describe('results', () => {
  it('a tool result lists its blocks, structured content and _meta', () => {
    const result: CallToolResult = {
      content: [
        { type: 'text', text: '{"temp": 21}' },
        { type: 'image', data: PNG, mimeType: 'image/png' },
      ],
      structuredContent: { temp: 21 },
      _meta: { 'example.com/trace': 'abc' },
    };
    const view = normalizeResult('tool', result);
    expect(view.isError).toBe(false);
    expect(view.items.map((item) => [item.key, item.role, item.view.kind])).toEqual([
      ['0', undefined, 'text'],
      ['1', undefined, 'image'],
    ]);
    expect(view.structuredContent).toEqual({ value: { temp: 21 } });
    expect(view.meta).toEqual({ value: { 'example.com/trace': 'abc' } });
    expect(view.problems).toEqual([]);
  });

  it('a tool result with isError is marked as an error', () => {
    const result: CallToolResult = {
      content: [{ type: 'text', text: 'City not found' }],
      isError: true,
    };
    const view = normalizeResult('tool', result);
    expect(view.isError).toBe(true);
    expect(as(view.items[0]!.view, 'text').text).toBe('City not found');
  });

  it('only a literal true isError counts', () => {
    expect(normalizeResult('tool', { content: [], isError: 'yes' }).isError).toBe(false);
  });

  it('structured content is kept even when it is null, and without _meta there is none', () => {
    const view = normalizeResult('tool', { content: [], structuredContent: null });
    expect(view.structuredContent).toEqual({ value: null });
    expect(view.meta).toBeUndefined();
  });

  it('a tool result of only structured content (or a 2024-10-07 toolResult) has no problem', () => {
    expect(normalizeResult('tool', { structuredContent: { a: 1 } }).problems).toEqual([]);
    const legacy = normalizeResult('tool', { toolResult: { answer: 42 } });
    expect(legacy.legacyToolResult).toEqual({ value: { answer: 42 } });
    expect(legacy.problems).toEqual([]);
  });

  it('a resource read lists text and blob contents', () => {
    const result: ReadResourceResult = {
      contents: [
        { uri: 'https://example.com/readme.md', mimeType: 'text/markdown', text: '# Hi' },
        { uri: 'mem://bin', mimeType: 'application/octet-stream', blob: 'AAEC' },
      ],
    };
    const view = normalizeResult('resource', result);
    expect(view.isError).toBe(false);
    const [text, blob] = view.items.map((item) => as(item.view, 'resource'));
    expect(text!.href).toBe('https://example.com/readme.md');
    expect(text!.body).toEqual({ kind: 'text', text: '# Hi' });
    expect(blob!.body).toMatchObject({ kind: 'binary', bytes: 3, fileName: 'bin' });
  });

  it('a resource read ignores isError and structuredContent (tool-only fields)', () => {
    const view = normalizeResult('resource', {
      contents: [],
      isError: true,
      structuredContent: { a: 1 },
    });
    expect(view.isError).toBe(false);
    expect(view.structuredContent).toBeUndefined();
  });

  it('a prompt lists its description and each message with its role', () => {
    const result: GetPromptResult = {
      description: 'Summarize a page',
      messages: [
        { role: 'user', content: { type: 'text', text: 'Summarize this:' } },
        {
          role: 'assistant',
          content: { type: 'resource', resource: { uri: 'https://example.com', text: 'Page' } },
        },
      ],
    };
    const view = normalizeResult('prompt', result);
    expect(view.description).toBe('Summarize a page');
    expect(view.items.map((item) => [item.role, item.view.kind])).toEqual([
      ['User', 'text'],
      ['Assistant', 'resource'],
    ]);
  });

  it('odd prompt messages are still shown: unknown roles, lists of blocks, non-objects', () => {
    const view = normalizeResult('prompt', {
      messages: [
        { role: 'system', content: { type: 'text', text: 'Be brief' } },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
        { role: 'user', content: [] },
        'hello',
      ],
    });
    expect(view.items.map((item) => [item.key, item.role, item.view.kind])).toEqual([
      ['0', 'Role: system', 'text'],
      ['1.0', 'User', 'text'],
      ['1.1', 'User', 'text'],
      ['2', 'User', 'unknown'],
      ['3', undefined, 'unknown'],
    ]);
  });

  it('a result without its list says so', () => {
    expect(normalizeResult('tool', {}).problems).toEqual([
      'The result has no content list ("content"); see the raw result.',
    ]);
    expect(normalizeResult('resource', { contents: 'x' }).problems).toEqual([
      'The result has no contents list ("contents"); see the raw result.',
    ]);
    expect(normalizeResult('prompt', { content: [] }).problems).toEqual([
      'The result has no message list ("messages"); see the raw result.',
    ]);
  });

  it('a result that is not an object says so', () => {
    for (const result of [null, 'text', 42, [{ type: 'text', text: 'x' }]]) {
      const view = normalizeResult('tool', result);
      expect(view.items).toEqual([]);
      expect(view.problems).toEqual([
        'The server returned a result that is not a JSON object; see the raw result.',
      ]);
    }
  });

  it('an unknown block inside a result is an item, not a gap', () => {
    const view = normalizeResult('tool', {
      content: [{ type: 'text', text: 'a' }, { type: 'hologram', data: '…' }, null],
    });
    expect(view.items.map((item) => item.view.kind)).toEqual(['text', 'unknown', 'unknown']);
  });

  it('empty results have a sentence of their own', () => {
    expect(emptyText('tool')).toBe('The tool returned no content.');
    expect(emptyText('resource')).toBe('The resource has no contents.');
    expect(emptyText('prompt')).toBe('The prompt has no messages.');
  });

  it('roles read as words', () => {
    expect(roleLabel('user')).toBe('User');
    expect(roleLabel('assistant')).toBe('Assistant');
    expect(roleLabel('tool')).toBe('Role: tool');
    expect(roleLabel(undefined)).toBe('No role given');
  });
});

describe('JSON tree helpers', () => {
  it('names each JSON type', () => {
    expect([{}, [], 's', 1, true, null, undefined].map(jsonType)).toEqual([
      'object',
      'array',
      'string',
      'number',
      'boolean',
      'null',
      'other',
    ]);
  });

  it('summarizes collections', () => {
    expect(jsonSummary({ a: 1, b: 2 })).toBe('2 keys');
    expect(jsonSummary({ a: 1 })).toBe('1 key');
    expect(jsonSummary([1])).toBe('1 item');
    expect(jsonSummary([])).toBe('0 items');
    expect(jsonSummary('x')).toBe('');
  });

  it('truncates until asked to show all', () => {
    expect(visibleCount(5000, 100, false)).toBe(100);
    expect(visibleCount(5000, 100, true)).toBe(5000);
    expect(visibleCount(3, 100, false)).toBe(3);
  });

  it('copies pretty JSON and never throws', () => {
    expect(toJsonText({ a: [1, 'x'] })).toBe('{\n  "a": [\n    1,\n    "x"\n  ]\n}');
    expect(toJsonText(10n)).toBe('"10"');
    expect(toJsonText(undefined)).toBe('undefined');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(toJsonText(loop)).toMatch(/^\/\* not JSON: /);
  });
});

describe('the JSON viewer: find, and the value or path of a node', () => {
  const doc = {
    name: 'search',
    'a/b': { '~tilde': 'deep needle' },
    list: [1, 'needle two', { needle: true }],
  };

  it('finds in keys and scalar values, in document order, with every ancestor to open', () => {
    const found = searchJson(doc, 'NEEDLE');
    expect(found.hits).toEqual(['/a~1b/~0tilde', '/list/1', '/list/2/needle']);
    expect([...found.open].sort()).toEqual(['', '/a~1b', '/list', '/list/2']);
    expect(found.partial).toBe(false);
    expect(searchJson(doc, '  ').hits).toEqual([]);
  });

  it('reads the value at a path back, escapes and all, and nothing for a path that is not there', () => {
    for (const path of searchJson(doc, 'needle').hits) expect(valueAt(doc, path)).toBeDefined();
    expect(valueAt(doc, '/a~1b/~0tilde')).toBe('deep needle');
    expect(valueAt(doc, '/list/2')).toEqual({ needle: true });
    expect(valueAt(doc, '')).toBe(doc);
    expect(valueAt(doc, '/missing/x')).toBeUndefined();
    expect(valueAt(doc, '/name/length')).toBeUndefined();
    // An inherited property is not a value of the document.
    expect(valueAt({}, '/constructor')).toBeUndefined();
  });

  it('stays bounded on a huge value, and survives a cycle', () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ id: i, text: 'x' }));
    const found = searchJson(huge, 'y', 1_000);
    expect(found.partial).toBe(true);
    expect(searchJson(huge, 'x', 1_000_000, 5).hits).toHaveLength(5);
    const cyclic: Record<string, unknown> = { label: 'loop' };
    cyclic.self = cyclic;
    expect(searchJson(cyclic, 'loop').hits).toEqual(['/label']);
  });
});
