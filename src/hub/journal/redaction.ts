/**
 * Redaction: the one place that decides what a secret looks like, for every log, view, export
 * and error the hub makes (DESIGN: "secrets never leave the hub"). A secret is a header value the
 * server entry marks secret, or the value of a header whose NAME says it is a credential, marked
 * or not: `authorization`, `cookie`, `set-cookie`, `proxy-authorization`, `x-api-key`. Those are
 * redacted wherever they show: as values the hub knows, as JSON members a message carries
 * (`"authorization": "…"`), and as header lines in text (`Authorization: Bearer …`).
 */
import type { HeaderEntry } from '../ports.ts';

/** Header names whose values are credentials, whatever the server entry says (lowercase). */
export const SENSITIVE_HEADER_NAMES: readonly string[] = [
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
];

const MASK = '••••';
const NAMES = SENSITIVE_HEADER_NAMES.map((name) => name.replace('-', '\\-')).join('|');
/** `"authorization": "…"` in JSON text, any case, the value a JSON string. */
const JSON_MEMBER = new RegExp(`"(${NAMES})"(\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
/** `Authorization: Bearer …` in text, up to the end of the line or of an enclosing string. */
const HEADER_LINE = new RegExp(`\\b(${NAMES})(\\s*:\\s*)(?!${MASK})[^\\r\\n"'\\\\]+`, 'gi');

/** Whether a header's value is a secret: marked so, or named like a credential. */
export function isSecretHeader(header: { name: string; secret?: boolean }): boolean {
  return (
    header.secret === true || SENSITIVE_HEADER_NAMES.includes(header.name.trim().toLowerCase())
  );
}

/** Shows at most the last 2 characters of a secret, and only when it is long enough to spare them. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `${MASK}${value.slice(-2)}` : MASK;
}

/** The values to redact among some headers (secret by mark or by name). */
export function secretValues(headers: readonly HeaderEntry[]): string[] {
  return headers.filter((header) => header.value && isSecretHeader(header)).map((h) => h.value);
}

/**
 * `text` (JSON, or what a server said) with every known secret value replaced by `••••`, also
 * where JSON escaping changed how it is written, and every credential header's value replaced by
 * name. Secret values shorter than 4 characters are left alone: replacing "a" everywhere would
 * wreck the text and protect nothing.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    const escaped = JSON.stringify(secret).slice(1, -1);
    out = out.replaceAll(secret, MASK);
    if (escaped !== secret) out = out.replaceAll(escaped, MASK);
  }
  return redactByName(out);
}

/** Only the by-name part of `redact`: credential headers' values, in JSON members and in text. */
export function redactByName(text: string): string {
  return text.replace(JSON_MEMBER, `"$1"$2"${MASK}"`).replace(HEADER_LINE, `$1$2${MASK}`);
}
