/**
 * A call handed from the Inspector to the Playground ("Replay in Playground"): the Inspector
 * leaves the tool's name and arguments here and goes to `#/playground/<tool>`; the Playground
 * takes them once, when that tool's form is built. One slot, in this document only: a replay is
 * a click away from its use, and the arguments (which may hold secrets) never enter the URL, the
 * history or storage.
 */
let pending: { tool: string; arguments: Record<string, unknown> } | undefined;

export function offerReplay(tool: string, args: Record<string, unknown>): void {
  pending = { tool, arguments: args };
}

/** The arguments offered for `tool`, once (undefined when none, or offered for another tool). */
export function takeReplay(tool: string): Record<string, unknown> | undefined {
  if (pending?.tool !== tool) return undefined;
  const args = pending.arguments;
  pending = undefined;
  return args;
}
