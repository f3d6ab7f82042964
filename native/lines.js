// @ts-check
/**
 * Splits a child's stdout or stderr into lines without trusting it to write any: the bytes of a
 * line not yet ended are capped, so a child that writes forever without a newline cannot make the
 * bridge buffer without bound. What happens at the cap is the caller's choice:
 * - `truncate` (stderr, for a person to read): keep the first `maxLine` bytes, drop the rest of
 *   the line, and mark the cut with an ellipsis;
 * - `overflow` (stdout, JSON-RPC): a message cut short is worthless, so report the flood once and
 *   drop everything after it.
 */

/**
 * @typedef {object} LineSplitterOptions
 * @property {number} maxLine the most bytes of one line the splitter holds
 * @property {'truncate' | 'overflow'} atCap what a line longer than maxLine becomes
 * @property {(line: string) => void} onLine each complete line, without its `\n` or `\r\n`
 * @property {() => void} [onOverflow] once, when a line passes maxLine in `overflow` mode
 */

export const ELLIPSIS = '…';

export class LineSplitter {
  /** @type {Buffer[]} */
  #pieces = [];
  #length = 0;
  /** The current line passed the cap: its remaining bytes are dropped up to the next newline. */
  #cut = false;
  /** `overflow` mode hit the cap: nothing more is read. */
  #overflowed = false;
  #options;

  /** @param {LineSplitterOptions} options */
  constructor(options) {
    this.#options = options;
  }

  /** Bytes held for the line not yet ended (at most maxLine). */
  get buffered() {
    return this.#length;
  }

  /** @param {Buffer} data */
  push(data) {
    let rest = data;
    while (rest.length > 0 && !this.#overflowed) {
      const newline = rest.indexOf(10);
      const part = newline === -1 ? rest : rest.subarray(0, newline);
      this.#append(part);
      if (newline === -1) return;
      this.#emit();
      rest = rest.subarray(newline + 1);
    }
  }

  /** The stream ended: a last line without a newline is still a line. */
  end() {
    if (!this.#overflowed && (this.#length > 0 || this.#cut)) this.#emit();
  }

  /** @param {Buffer} part */
  #append(part) {
    if (this.#overflowed) return;
    const room = this.#options.maxLine - this.#length;
    if (part.length <= room) {
      if (!this.#cut && part.length > 0) {
        // Copied: `data` may be a view into a buffer the stream reuses or that is much larger.
        this.#pieces.push(Buffer.from(part));
        this.#length += part.length;
      }
      return;
    }
    if (this.#options.atCap === 'overflow') {
      this.#overflowed = true;
      this.#pieces = [];
      this.#length = 0;
      this.#options.onOverflow?.();
      return;
    }
    if (!this.#cut && room > 0) {
      this.#pieces.push(Buffer.from(part.subarray(0, room)));
      this.#length += room;
    }
    this.#cut = true;
  }

  #emit() {
    let bytes = Buffer.concat(this.#pieces, this.#length);
    const cut = this.#cut;
    this.#pieces = [];
    this.#length = 0;
    this.#cut = false;
    if (cut) bytes = bytes.subarray(0, wholeCharacters(bytes));
    let line = bytes.toString('utf8');
    if (!cut && line.endsWith('\r')) line = line.slice(0, -1);
    this.#options.onLine(cut ? line + ELLIPSIS : line);
  }
}

/**
 * How many leading bytes of `bytes` end on a UTF-8 character boundary: a cut may split the last
 * character, which would otherwise decode as U+FFFD.
 * @param {Buffer} bytes
 */
function wholeCharacters(bytes) {
  let start = bytes.length - 1;
  // The last character starts at most 3 bytes before the end (continuation bytes are 10xxxxxx).
  while (start > 0 && start > bytes.length - 4 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start--;
  const lead = bytes[start];
  if (lead === undefined) return 0;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + size > bytes.length ? start : bytes.length;
}

/**
 * `text` cut to at most `maxBytes` bytes of UTF-8 (plus the ellipsis that marks the cut).
 * @param {string} text
 * @param {number} maxBytes
 */
export function capText(text, maxBytes) {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no encoding to know they fit.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const head = bytes.subarray(0, maxBytes);
  return head.subarray(0, wholeCharacters(head)).toString('utf8') + ELLIPSIS;
}
