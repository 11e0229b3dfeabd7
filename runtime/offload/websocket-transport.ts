/** @fileoverview The browser's Transport for SplitDevice: a WebSocket (binary frames) to a WebSocketGateway. */
import type { FrameLink, Transport } from './split-device.ts';

/** Connects to `url` (ws:// or wss://) for each connection attempt. */
export function websocketTransport(url: string): Transport {
  return {
    connect: (events) =>
      new Promise<FrameLink | undefined>((resolve) => {
        const ws = new WebSocket(url);
        ws.binaryType = 'arraybuffer';
        let open = false;
        ws.onopen = () => {
          open = true;
          resolve({ send: (bytes) => ws.send(bytes), close: () => ws.close() });
        };
        ws.onmessage = (e: MessageEvent<ArrayBuffer>) => events.data(new Uint8Array(e.data));
        ws.onclose = () => (open ? events.closed() : resolve(undefined));
      }),
  };
}
