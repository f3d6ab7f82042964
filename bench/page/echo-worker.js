// The benchmark's floor (row 1): a bare SharedWorker that answers every JSON-RPC request it gets
// with a result of the shape the page sends it first (the built-in clock tool's). No MCP, no SDK:
// what is left is the browser's own cost of a postMessage round trip between a page and a
// SharedWorker with a tools/call-sized message each way. Served by bench/app-server.ts.
let template = {};

onconnect = (event) => {
  const port = event.ports[0];
  port.onmessage = ({ data }) => {
    if (data.type === 'bench/result-template') {
      template = data.result;
      return;
    }
    port.postMessage({ jsonrpc: '2.0', id: data.id, result: template });
  };
};
