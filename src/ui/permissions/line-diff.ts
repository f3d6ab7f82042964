/**
 * A line diff for a changed tool definition, old beside new: the longest common subsequence of
 * lines, so a line that moved or changed shows as removed on the left and added on the right.
 * Pretty-printed definitions are at most a few hundred lines; past `MAX_LINES` on either side
 * every line is simply marked changed (the table would cost lines² memory).
 */
export interface DiffLine {
  text: string;
  /** `same` on both sides; `removed` only in the old, `added` only in the new. */
  change: 'same' | 'removed' | 'added';
}

const MAX_LINES = 2_000;

export function lineDiff(before: string, after: string): { before: DiffLine[]; after: DiffLine[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length > MAX_LINES || b.length > MAX_LINES) {
    return {
      before: a.map((text) => ({ text, change: 'removed' })),
      after: b.map((text) => ({ text, change: 'added' })),
    };
  }
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i]![j] =
        a[i] === b[j]
          ? lengths[i + 1]![j + 1]! + 1
          : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const left: DiffLine[] = [];
  const right: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      left.push({ text: a[i]!, change: 'same' });
      right.push({ text: b[j]!, change: 'same' });
      i++;
      j++;
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) {
      left.push({ text: a[i++]!, change: 'removed' });
    } else {
      right.push({ text: b[j++]!, change: 'added' });
    }
  }
  while (i < a.length) left.push({ text: a[i++]!, change: 'removed' });
  while (j < b.length) right.push({ text: b[j++]!, change: 'added' });
  return { before: left, after: right };
}
