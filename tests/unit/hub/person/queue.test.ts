/**
 * The person queue: what waits on the person is listed in the order it was asked, answered once
 * (the first answer wins), and leaves on its own when its asker withdraws it.
 */
import { describe, expect, it } from 'vitest';
import { PersonQueue, Withdrawn } from '../../../../src/hub/person/queue.ts';
import { FakeClock, countingIds } from '../../../support/fake-clock.ts';

function queue() {
  const clock = new FakeClock();
  let changes = 0;
  const people = new PersonQueue(clock, countingIds('ask'), () => changes++);
  return { clock, people, changes: () => changes };
}

describe('the person queue', () => {
  it('lists waiting items oldest first, with the time each was asked', async () => {
    const { clock, people } = queue();
    void people.ask('elicitation', { n: 1 }, (answer) => answer);
    await clock.advance(1_000);
    void people.ask('consent', { n: 2 }, (answer) => answer);
    await clock.advance(1_000);
    void people.ask('elicitation', { n: 3 }, (answer) => answer);
    expect(people.list().map((item) => [item.id, item.kind, item.view])).toEqual([
      ['ask-1', 'elicitation', { n: 1 }],
      ['ask-2', 'consent', { n: 2 }],
      ['ask-3', 'elicitation', { n: 3 }],
    ]);
    expect(people.list('elicitation').map((item) => item.id)).toEqual(['ask-1', 'ask-3']);
    const [first, second] = people.list();
    expect(second!.askedAt - first!.askedAt).toBe(1_000);
  });

  it('settles with the answer mapped by the kind, once; a second answer is refused', async () => {
    const { people, changes } = queue();
    const asked = people.ask('elicitation', {}, (answer: { yes: boolean }) =>
      answer.yes ? 'accepted' : 'declined',
    );
    people.answer('ask-1', { yes: true });
    await expect(asked).resolves.toBe('accepted');
    expect(() => people.answer('ask-1', { yes: false })).toThrow(/no longer waiting/);
    expect(people.list()).toEqual([]);
    expect(changes()).toBe(2);
  });

  it('keeps the order of the others when one in the middle is answered', () => {
    const { people } = queue();
    for (let n = 1; n <= 3; n++) void people.ask('consent', { n }, () => n);
    people.answer('ask-2', {});
    expect(people.list().map((item) => item.id)).toEqual(['ask-1', 'ask-3']);
  });

  it('withdraws an item when its signal aborts, rejecting its asker', async () => {
    const { people, changes } = queue();
    const controller = new AbortController();
    const asked = people.ask('elicitation', {}, () => 'never', controller.signal);
    void people.ask('elicitation', {}, () => 'other');
    controller.abort();
    await expect(asked).rejects.toBeInstanceOf(Withdrawn);
    expect(people.list().map((item) => item.id)).toEqual(['ask-2']);
    expect(() => people.answer('ask-1', {})).toThrow(/no longer waiting/);
    expect(changes()).toBe(3);
  });

  it('never shows an item whose signal aborted before it was asked', async () => {
    const { people, changes } = queue();
    const asked = people.ask('elicitation', {}, () => 'x', AbortSignal.abort());
    await expect(asked).rejects.toBeInstanceOf(Withdrawn);
    expect(people.list()).toEqual([]);
    expect(changes()).toBe(0);
  });

  it('withdraws everything when cleared', async () => {
    const { people } = queue();
    const asked = [people.ask('a', {}, () => 1), people.ask('b', {}, () => 2)];
    people.clear();
    for (const each of asked) await expect(each).rejects.toBeInstanceOf(Withdrawn);
    expect(people.list()).toEqual([]);
  });
});
