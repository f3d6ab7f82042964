/**
 * What is safe to show of a server's binary content, decided here and nowhere else: which MIME
 * types are inlined, base64 checked the way the browser decodes it, sizes, which links are
 * followed and what a download is called.
 */
// --- MIME types -------------------------------------------------------------------------------

/**
 * Image types shown inline. SVG is on the list on purpose: inside `<img>` an SVG runs no script and
 * loads nothing external (https://www.w3.org/wiki/SVG_Security), unlike `<object>` or inline SVG.
 * `image/jpg` is not registered but common in the wild.
 */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/jpg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/svg+xml',
]);

/** Audio types given to `<audio controls>`, with the unregistered aliases servers actually send. */
export const INLINE_AUDIO_TYPES: ReadonlySet<string> = new Set([
  'audio/wav',
  'audio/wave',
  'audio/x-wav',
  'audio/mpeg',
  'audio/mp3',
  'audio/ogg',
  'audio/webm',
  'audio/aac',
  'audio/flac',
  'audio/x-flac',
  'audio/mp4',
]);

/**
 * `Image/PNG; charset=x` → `image/png`. The essence alone goes into a `data:` URL, so parameters a
 * server invents (`;base64,` tricks included) never reach the URL.
 */
export function mimeEssence(mimeType: unknown): string | undefined {
  if (typeof mimeType !== 'string') return undefined;
  const essence = mimeType.split(';', 1)[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence) ? essence : undefined;
}

// --- base64 and sizes -------------------------------------------------------------------------

/**
 * The payload, ASCII whitespace removed and padding completed, when it is valid base64, else
 * undefined. Follows the WHATWG "forgiving-base64 decode" that `atob` and `data:` URLs use
 * (whitespace ignored, padding optional, but a length of 4n+1 or a stray `=` or non-alphabet
 * character is an error), so what passes here decodes in the browser too. base64url (`-`, `_`) is
 * refused: MCP uses plain base64.
 */
export function normalizeBase64(data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  let b64 = data.replace(/[\t\n\f\r ]+/g, '');
  if (b64.length % 4 === 0) b64 = b64.replace(/={1,2}$/, '');
  if (b64.length % 4 === 1 || !/^[A-Za-z0-9+/]*$/.test(b64)) return undefined;
  // Padded again: the canonical form, which strict decoders want too.
  return b64.padEnd(Math.ceil(b64.length / 4) * 4, '=');
}

/** Decoded size of a payload that `normalizeBase64` returned. */
export function decodedLength(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - padding;
}

/** Decoded size in bytes of a base64 payload, or undefined when it is not valid base64. */
export function base64ByteLength(data: unknown): number | undefined {
  const b64 = normalizeBase64(data);
  return b64 === undefined ? undefined : decodedLength(b64);
}

/** The bytes of a payload that `normalizeBase64` accepted (for a download's Blob). */
export function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const UNITS = ['KB', 'MB', 'GB', 'TB'];

/** "0 bytes", "1 byte", "1023 bytes", "1.5 KB", "12 KB", "3.2 MB" (1 KB = 1024 bytes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown size';
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${Math.floor(bytes)} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  // Rounding can reach 1024 (1023.9 KB → "1024 KB"); step up a unit instead.
  while (unit < UNITS.length - 1 && Math.round(value) >= 1024) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 ? String(Math.round(value * 10) / 10) : String(Math.round(value));
  return `${shown} ${UNITS[unit]}`;
}

// --- links and file names ---------------------------------------------------------------------

/**
 * The URL to put in `href`, or undefined when the URI must stay text. Only absolute `http:` and
 * `https:` URLs qualify: `javascript:` would run in the dashboard's origin, `data:` and `blob:` can
 * carry a page, and `file:`, custom schemes and relative references mean nothing to a browser tab.
 * The URL parser does the scheme check (it lowercases the scheme and strips the leading whitespace
 * and control characters that browsers ignore), so `  JaVaScRiPt:` cannot slip through.
 */
export function linkHref(uri: unknown): string | undefined {
  if (typeof uri !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
  'image/svg+xml': 'svg',
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/ogg': 'ogg',
  'audio/webm': 'webm',
  'audio/aac': 'aac',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/mp4': 'm4a',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/json': 'json',
  'text/plain': 'txt',
};

/**
 * A harmless download name: the URI's last path segment when there is one (given an extension for
 * its MIME type if it has none), else `fallback` plus that extension. Separators, control and reserved characters become `_`, so the
 * server cannot pick a path or a name that hides its real extension behind bidi controls.
 */
export function downloadName(
  uri: string | undefined,
  mimeType: string | undefined,
  fallback: string,
): string {
  let base = '';
  if (uri) {
    const path = uri.split(/[?#]/, 1)[0]!;
    const segment = path.slice(path.lastIndexOf('/') + 1);
    try {
      base = decodeURIComponent(segment);
    } catch {
      base = segment;
    }
  }
  base = base.replace(
    /[\\/:*?"<>|\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    '_',
  );
  base = base.replace(/^[.\s]+|[.\s]+$/g, '').slice(0, 120);
  const essence = mimeEssence(mimeType);
  const extension = essence && EXTENSIONS[essence];
  if (base) return base.includes('.') || !extension ? base : `${base}.${extension}`;
  return `${fallback}.${extension ?? 'bin'}`;
}
