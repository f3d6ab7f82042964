/**
 * One Copy button's state: copies a line of text to the clipboard and says how that went. The
 * clipboard needs a secure context and a focused page, so a refusal is expected now and then: it
 * is said in words, with what to do instead.
 */

/** The part of `navigator.clipboard` a Copy button uses. */
export interface ClipboardLike {
  writeText(text: string): Promise<void>;
}

export class Copier {
  /** What the last copy did, for a person ('' before the first). */
  message = $state.raw('');
  /** Whether the last copy failed. */
  failed = $state.raw(false);

  readonly #clipboard: () => ClipboardLike | undefined;

  /** `clipboard`: where to write; by default the browser's `navigator.clipboard`. */
  constructor(clipboard: () => ClipboardLike | undefined = () => globalThis.navigator?.clipboard) {
    this.#clipboard = clipboard;
  }

  /** Copies `text`; returns whether the browser took it. */
  async copy(text: string): Promise<boolean> {
    const clipboard = this.#clipboard();
    if (!clipboard) {
      return this.#say(
        false,
        'This browser does not let the page copy here (it needs https or localhost): select the line and copy it.',
      );
    }
    try {
      await clipboard.writeText(text);
      return this.#say(true, 'Copied.');
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/\.$/, '') : '';
      const why = reason ? `: ${reason}` : '';
      return this.#say(false, `The browser did not copy it${why}. Select the line and copy it.`);
    }
  }

  #say(ok: boolean, message: string): boolean {
    this.failed = !ok;
    this.message = message;
    return ok;
  }
}
