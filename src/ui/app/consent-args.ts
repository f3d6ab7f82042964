/**
 * A consent request's arguments as the prompt shows them (UI.md §4): one row per top-level
 * argument, with values that look like a secret or a filesystem path marked, so the person sees
 * what a call would hand over before allowing it. The hub sends the arguments as pretty JSON,
 * redacted and with long strings folded; text that is no longer whole JSON (cut at the size the
 * hub shows) has no rows, and the prompt shows the text itself.
 */

export interface ArgumentRow {
  name: string;
  /** The value as a person reads it: a string as it is, anything else as compact JSON. */
  value: string;
  marks: Array<'secret' | 'path'>;
}

/** More rows than this and the prompt shows the JSON instead of a table nobody would read. */
const MAX_ROWS = 50;
/** A value's characters in its cell; the JSON view has the whole. */
const MAX_VALUE_CHARS = 300;

const SECRET_NAME =
  /pass(word|phrase)?|secret|token|api[-_]?key|auth|credential|private[-_]?key|cookie|session/i;
/** Shapes of well-known keys: `sk-…`, `ghp_…`, `xox…-`, JWTs, PEM blocks, long hex or base64. */
const SECRET_VALUE =
  /^(sk|pk|rk)[-_][A-Za-z0-9_-]{16,}$|^gh[pousr]_[A-Za-z0-9]{20,}$|^xox[abpr]-|^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.|-----BEGIN [A-Z ]*PRIVATE KEY-----|^[A-Fa-f0-9]{32,}$|^[A-Za-z0-9+/_-]{40,}={0,2}$/;
const PATH_VALUE = /^(~|\.{1,2})?\/|^[A-Za-z]:[\\/]|^\\\\|^file:|(^|[\\/])\.\.([\\/]|$)/;

/** Rows for `json` (the hub's text), or `undefined` when it is not an object that fits a table. */
export function argumentRows(json: string): ArgumentRow[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 || entries.length > MAX_ROWS) return undefined;
  return entries.map(([name, raw]) => {
    const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
    const marks: ArgumentRow['marks'] = [];
    if (SECRET_NAME.test(name) || (typeof raw === 'string' && SECRET_VALUE.test(raw.trim())))
      marks.push('secret');
    if (typeof raw === 'string' && PATH_VALUE.test(raw.trim())) marks.push('path');
    return {
      name,
      value: text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text,
      marks,
    };
  });
}
