/** A websocket client for console URLs (Nova's novnc form), as a test checks the console proxy. */
import WebSocket from 'ws';

/** The token inside a console URL's noVNC `path` parameter. */
export function consoleToken(url: string): string {
  return new URLSearchParams((new URL(url).searchParams.get('path') ?? '').replace(/^\?/, '')).get('token') ?? '';
}

/** The websocket a console URL leads to: its `path` resolved against its page, on ws:. */
export function consoleWebsocket(url: string): URL {
  const page = new URL(url);
  const target = new URL(page.searchParams.get('path') ?? '', page);
  target.protocol = 'ws:';
  return target;
}

/** What a websocket to the console URL met: the upgrade's refusal (status and body), or 101 and the first bytes the guest's VNC server sent. */
export function openConsole(url: string): Promise<{ status: number; firstBytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(consoleWebsocket(url), ['binary']);
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, firstBytes: Buffer.concat(chunks) }));
    });
    socket.once('message', (data: Buffer) => {
      resolve({ status: 101, firstBytes: data });
      socket.close();
    });
    socket.once('error', reject);
  });
}
