/**
 * @fileoverview Browsers cannot open TCP connections, so the edge server is reached from a page through this
 * gateway: each WebSocket (binary messages) is relayed byte for byte to its own TCP connection to the edge server,
 * and back. The server sees an ordinary device; nothing is parsed here (the server checks every frame).
 */
import { connect } from 'node:net';
import { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export class WebSocketGateway {
  private constructor(private readonly wss: WebSocketServer) {}

  /** Listens for WebSockets on `port` (0: any) of `host`, relaying each to the edge server at edgeHost:edgePort. */
  static async start(edge: { host: string; port: number }, port = 0, host = '127.0.0.1'): Promise<WebSocketGateway> {
    const wss = new WebSocketServer({ port, host });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', () => resolve());
      wss.once('error', reject);
    });
    wss.on('connection', (ws: WebSocket) => {
      const tcp = connect(edge.port, edge.host);
      tcp.setNoDelay(true);
      const end = () => {
        tcp.destroy();
        ws.terminate();
      };
      tcp.on('data', (chunk) => ws.readyState === WebSocket.OPEN && ws.send(chunk));
      tcp.on('error', end);
      tcp.on('close', end);
      ws.on('message', (data: Buffer) => tcp.write(data));
      ws.on('error', end);
      ws.on('close', end);
    });
    return new WebSocketGateway(wss);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}
