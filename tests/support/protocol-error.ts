import { ProtocolError } from '@modelcontextprotocol/client';

/**
 * The MCP error `run` rejects with; throws (failing the test) when it resolves or rejects with
 * anything else, so a test can then look at the code, message and data.
 */
export async function protocolError(run: Promise<unknown>): Promise<ProtocolError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ProtocolError)) {
    throw new Error(
      `expected an MCP error, got ${error === undefined ? 'a result' : String(error)}`,
    );
  }
  return error;
}
