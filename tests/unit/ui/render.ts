/**
 * Components rendered to HTML with `svelte/server` (Node has no DOM to mount them in), and read
 * back the way a person or a screen reader would: the text, and each button's name and state.
 */
import type { Component } from 'svelte';
import { render } from 'svelte/server';
import type { HubState } from '../../../src/ui/state/hub.svelte.ts';
import WithHub from './WithHub.svelte';

export interface Rendered {
  html: string;
  /** The visible words, tags stripped and whitespace collapsed. */
  text: string;
  /** Every button: its accessible name (aria-label, else its text), its text, and whether disabled. */
  buttons: Array<{ name: string; text: string; disabled: boolean }>;
  /** The text of every `<code>` element. */
  code: string[];
}

/** Renders `component` (with `props`) inside a hub context holding `hub`. */
export function renderWithHub<Props extends Record<string, unknown>>(
  component: Component<Props>,
  hub: HubState,
  props?: Props,
): Rendered {
  const { body } = render(WithHub, {
    props: {
      hub,
      component: component as unknown as Component<Record<string, unknown>>,
      ...(props ? { props } : {}),
    },
  });
  return read(body);
}

function read(html: string): Rendered {
  const buttons = [...html.matchAll(/<button([^>]*)>([\s\S]*?)<\/button>/g)].map(
    ([, attributes = '', inner = '']) => {
      const label = /aria-label="([^"]*)"/.exec(attributes)?.[1];
      const text = textOf(inner);
      return {
        name: label === undefined ? text : unescape(label),
        text,
        disabled: /\sdisabled(\s|=|$)/.test(attributes),
      };
    },
  );
  const code = [...html.matchAll(/<code[^>]*>([\s\S]*?)<\/code>/g)].map(([, inner = '']) =>
    textOf(inner),
  );
  return { html, text: textOf(html), buttons, code };
}

/** Elements inside a line of text: dropping their tags must not split the words around them. */
const INLINE = /<\/?(?:a|code|strong|em|span|time)(?:\s[^>]*)?>/g;

function textOf(html: string): string {
  const bare = html.replace(/<!--[\s\S]*?-->/g, '').replace(INLINE, '');
  return unescape(bare.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function unescape(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}
