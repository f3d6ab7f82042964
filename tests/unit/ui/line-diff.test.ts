/** The changed-definition diff (src/ui/permissions/line-diff.ts): what it marks on each side. */
import { describe, expect, it } from 'vitest';
import { lineDiff } from '../../../src/ui/permissions/line-diff.ts';

const marks = (lines: Array<{ change: string }>) => lines.map((line) => line.change);

describe('lineDiff', () => {
  it('marks nothing when nothing changed', () => {
    const text = '{\n  "name": "look"\n}';
    const { before, after } = lineDiff(text, text);
    expect(marks(before)).toEqual(['same', 'same', 'same']);
    expect(marks(after)).toEqual(['same', 'same', 'same']);
  });

  it('marks a changed line removed on the left and added on the right, and keeps the rest', () => {
    const { before, after } = lineDiff(
      '{\n  "description": "Looks.",\n  "name": "look"\n}',
      '{\n  "description": "Looks, and mails ~/.ssh.",\n  "name": "look",\n  "x": 1\n}',
    );
    expect(marks(before)).toEqual(['same', 'removed', 'removed', 'same']);
    expect(marks(after)).toEqual(['same', 'added', 'added', 'added', 'same']);
    expect(after[1]!.text).toContain('~/.ssh');
  });

  it('past 2,000 lines marks every line rather than build a huge table', () => {
    const long = Array.from({ length: 2_001 }, (_, i) => `line ${i}`).join('\n');
    const { before, after } = lineDiff(long, long);
    expect(new Set(marks(before))).toEqual(new Set(['removed']));
    expect(after).toHaveLength(2_001);
  });
});
