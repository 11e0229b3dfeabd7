/**
 * @fileoverview The Node device of split offload: SplitDevice (split-device.ts) over TCP, or TLS, to an edge server.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { type FrameLink, SplitDevice, type SplitDeviceOptions, type Transport } from './split-device.ts';

export type { DeviceAnswer } from './split-device.ts';

export interface DeviceOptions extends Omit<SplitDeviceOptions, 'transport'> {
  host: string;
  port: number;
  tls?: ConnectionOptions;
}

/** A TCP (or TLS) connection to host:port as a Transport. */
export function tcpTransport(o: { host: string; port: number; tls?: ConnectionOptions }): Transport {
  return {
    connect: (events) =>
      new Promise<FrameLink | undefined>((resolve) => {
        const socket: Socket = o.tls
          ? connectTls({ host: o.host, port: o.port, ...o.tls })
          : connectTcp({ host: o.host, port: o.port });
        const failed = () => {
          socket.destroy();
          resolve(undefined);
        };
        socket.once('error', failed);
        socket.once(o.tls ? 'secureConnect' : 'connect', () => {
          socket.off('error', failed);
          socket.setNoDelay(true);
          socket.on('data', (chunk: Buffer) => events.data(chunk));
          socket.on('error', () => socket.destroy());
          socket.on('close', () => events.closed());
          resolve({ send: (bytes) => void socket.write(bytes), close: () => socket.destroy() });
        });
      }),
  };
}

/** A device that reaches its edge server over TCP or TLS. */
export class OffloadDevice extends SplitDevice {
  constructor(o: DeviceOptions) {
    super({ ...o, transport: tcpTransport(o) });
  }
}
