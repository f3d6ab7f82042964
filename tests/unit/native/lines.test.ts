/**
 * A child's output split into lines with the bridge's caps: stderr lines are cut for a person to
 * read, a stdout line past the cap is a flood, and neither buffers more than its cap.
 */
import { describe, expect, it } from 'vitest';
import { capText, ELLIPSIS, LineSplitter } from '../../../native/lines.js';

function split(atCap: 'truncate' | 'overflow', maxLine: number) {
  const lines: string[] = [];
  let overflows = 0;
  const splitter = new LineSplitter({
    maxLine,
    atCap,
    onLine: (line) => lines.push(line),
    onOverflow: () => overflows++,
  });
  return { splitter, lines, overflows: () => overflows };
}

describe('LineSplitter', () => {
  it('splits lines across pieces and strips \\r\\n, keeping a last line without newline', () => {
    const { splitter, lines } = split('truncate', 100);
    for (const piece of ['one\r\ntw', 'o\n', '', 'thr', 'ee\n\nfour'])
      splitter.push(Buffer.from(piece));
    splitter.end();
    expect(lines).toEqual(['one', 'two', 'three', '', 'four']);
  });

  it('joins a multi-byte character split between pieces', () => {
    const { splitter, lines } = split('truncate', 100);
    const bytes = Buffer.from('é🙂\n');
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
    expect(lines).toEqual(['é🙂']);
  });

  it('cuts a long line at the cap on a character boundary, with an ellipsis', () => {
    const { splitter, lines } = split('truncate', 10);
    // 'abcdefghi' is 9 bytes, then '🙂' (4 bytes) would cross the cap of 10.
    splitter.push(Buffer.from('abcdefghi🙂 and much more'));
    expect(splitter.buffered).toBeLessThanOrEqual(10);
    splitter.push(Buffer.from(' still more\nnext\n'));
    expect(lines).toEqual([`abcdefghi${ELLIPSIS}`, 'next']);
  });

  it('reports a stdout line past the cap once, and reads nothing after it', () => {
    const { splitter, lines, overflows } = split('overflow', 10);
    splitter.push(Buffer.from('{"ok":1}\n'));
    splitter.push(Buffer.from('x'.repeat(8)));
    splitter.push(Buffer.from('x'.repeat(8)));
    splitter.push(Buffer.from('x\n{"late":1}\n'));
    splitter.end();
    expect(lines).toEqual(['{"ok":1}']);
    expect(overflows()).toBe(1);
    expect(splitter.buffered).toBe(0);
  });

  it('takes a line of exactly the cap whole', () => {
    const { splitter, lines, overflows } = split('overflow', 10);
    splitter.push(Buffer.from('0123456789\n'));
    expect(lines).toEqual(['0123456789']);
    expect(overflows()).toBe(0);
  });
});

describe('capText', () => {
  it('leaves short text alone and cuts long text on a character boundary', () => {
    expect(capText('short', 8192)).toBe('short');
    expect(capText('ab🙂cd', 4)).toBe(`ab${ELLIPSIS}`);
    expect(capText('x'.repeat(9000), 8192)).toBe('x'.repeat(8192) + ELLIPSIS);
  });
});
