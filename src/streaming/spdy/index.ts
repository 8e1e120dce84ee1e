export { spdyDictionary } from './dictionary.js';
export { encodeFrame, FrameReader, FrameType, RstStatus, SpdyProtocolError, maxFrameLength, spdyVersion } from './frames.js';
export type { SpdyFrame } from './frames.js';
export { decodeHeaderBlock, encodeHeaderBlock, headerValue, HeaderCompressor, HeaderDecompressor } from './header-block.js';
export type { SpdyHeaders } from './header-block.js';
export { SpdySession, SpdyStream } from './session.js';
export type { SpdySessionOptions } from './session.js';
export { acceptSpdy, dialSpdy, headerList, isSpdyUpgrade, negotiateProtocol, protocolVersionHeader, rejectUpgrade, spdyUpgradeName, UpgradeFailedError } from './upgrade.js';
export type { SpdyDialOptions } from './upgrade.js';
