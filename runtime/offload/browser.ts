/**
 * @fileoverview What a web page needs for split offload, as one module to bundle (esbuild): the loader, the device
 * and its WebSocket transport.
 */
export { TinyedgeModel } from '../wasm/tinyedge-loader.js';
export type { DeviceAnswer, SplitDeviceOptions } from './split-device.ts';
export { SplitDevice } from './split-device.ts';
export { websocketTransport } from './websocket-transport.ts';
