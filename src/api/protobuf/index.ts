export { createProtobufDecoder, decodeKubernetesProtobuf, protobufMagic, protobufMediaType } from './decode.js';
export type { ProtobufDecoder, ProtobufEnvelope } from './decode.js';
export { loadProtobufSchema } from './schema.js';
export type { ProtobufSchema } from './schema.js';
export { messageForKind, protobufKinds } from './kinds.js';
export type { ProtobufKind } from './kinds.js';
export { formatDuration, formatMicroTime, formatTime } from './go-json.js';
