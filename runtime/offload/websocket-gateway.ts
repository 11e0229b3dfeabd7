/**
 * @fileoverview Browsers cannot open TCP connections, so the edge server is reached from a page through this
 * gateway: each WebSocket (binary messages) is relayed byte for byte to its own TCP connection to the edge server,
 * and back. The server sees an ordinary device; nothing is parsed here (the server checks every frame). Each
 * direction is read only while the other end takes what it was given (read-gate.ts), so a page that never reads, or
 * a server that has stopped reading it, holds at most RELAY_BOUNDS of the gateway's memory; the server's idle timeout
 * and connection cap reach the page through the relay (a closed TCP side closes the WebSocket).
 */
import { type AddressInfo, connect } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { type ReadBounds, ReadGate } from './read-gate.ts';

/** Bytes one direction of a relay may hold unsent before its source is no longer read. */
const RELAY_BOUNDS: ReadBounds = { pendingFrames: Infinity, unsentBytes: 1 << 20 };

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
      const toServer = new ReadGate(ws, RELAY_BOUNDS, () => tcp.writableLength);
      const toPage = new ReadGate(tcp, RELAY_BOUNDS, () => ws.bufferedAmount);
      tcp.on('data', (chunk) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(chunk, () => toPage.update());
        toPage.update();
      });
      tcp.on('drain', () => toServer.update());
      tcp.on('error', end);
      tcp.on('close', end);
      ws.on('message', (data: Buffer) => {
        tcp.write(data);
        toServer.update();
      });
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
