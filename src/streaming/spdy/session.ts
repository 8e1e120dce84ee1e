/**
 * A SPDY/3.1 session over any Duplex (a TCP/TLS socket after an HTTP upgrade, or the byte stream
 * tunnelled in a WebSocket), in either role. Streams are Duplexes: reading yields the peer's DATA
 * until its FIN, writing sends DATA, end() sends FIN. Peer streams are answered with SYN_REPLY at
 * once (as Kubernetes' httpstream does); openStream() waits for the peer's SYN_REPLY, because the
 * Go clients and servers we talk to create streams one at a time.
 *
 * Flow control: Go's spdystream neither sends nor honours WINDOW_UPDATE, so send windows are not
 * enforced here either (a sender waiting for updates would stall after 64 KiB). Back-pressure
 * comes from the socket instead: stream writes wait for 'drain', and a stream whose reader falls
 * far behind pauses the socket until it catches up.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { encodeFrame, FrameReader, RstStatus, type SpdyFrame } from './frames.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './header-block.js';

export interface SpdySessionOptions {
  /** The server answers odd (client-opened) stream ids and opens even ones. */
  isServer: boolean;
  /** A stream the peer opened; the SYN_REPLY has already been sent. */
  onStream?: (stream: SpdyStream) => void;
  /** Bytes that arrived with the upgrade response/request, before the socket was handed over. */
  head?: Buffer;
}

/** Largest DATA payload we send in one frame. */
const maxDataChunk = 32 * 1024;
/** A stream holding this much unread data pauses the whole socket until it is read. */
const pauseThreshold = 4 * 1024 * 1024;
/**
 * Received bytes acknowledged with one WINDOW_UPDATE (half of SPDY/3.1's 64 KiB initial window).
 * Acknowledging every DATA frame leaves frames the peer may never read when it closes right
 * after its last write — and a socket closed with unread input sends RST, which can discard
 * that last write (a command's exit status) before we read it.
 */
const windowUpdateThreshold = 32 * 1024;

interface StreamHost {
  sendData(id: number, data: Buffer, fin: boolean, cb: (err?: Error | null) => void): void;
  sendReset(id: number, status: number): void;
  forget(id: number): void;
  readMore(): void;
}

export class SpdyStream extends Duplex {
  /** Set when either side reset the stream (RST_STREAM status). */
  resetStatus: number | undefined;
  #remoteFin = false;
  #localFin = false;
  #dead = false;

  /** @internal created by SpdySession */
  constructor(readonly id: number, readonly headers: SpdyHeaders, private readonly host: StreamHost) {
    super({ allowHalfOpen: true });
  }

  /** The first value of a request header (`streamtype`, `port`, `requestid`). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  override _read(): void { this.host.readMore(); }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.#dead || this.#localFin) return cb();
    this.host.sendData(this.id, chunk, false, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.#dead || this.#localFin) return cb();
    this.#localFin = true;
    this.host.sendData(this.id, Buffer.alloc(0), true, (err) => { this.#maybeForget(); cb(err); });
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.#dead && !(this.#localFin && this.#remoteFin)) this.host.sendReset(this.id, RstStatus.cancel);
    this.#dead = true;
    this.host.forget(this.id);
    cb(err);
  }

  /** Sends RST_STREAM and ends both directions (unread data already received stays readable). */
  reset(status: number = RstStatus.cancel): void {
    if (this.#dead) return;
    this.host.sendReset(this.id, status);
    this.#terminate(status);
  }

  /** @internal the peer's DATA. */
  receive(data: Buffer, fin: boolean): boolean {
    if (this.#remoteFin) return true;
    let ok = true;
    if (data.length) ok = this.push(data);
    if (fin) this.#finishRemote();
    return ok || this.readableLength < pauseThreshold;
  }

  /** @internal the peer's FIN without data (SYN_STREAM/SYN_REPLY flag). */
  receiveFin(): void { this.#finishRemote(); }

  /** @internal the peer reset the stream, or the connection is gone. */
  terminate(status: number | undefined): void { this.#terminate(status); }

  #finishRemote(): void {
    if (this.#remoteFin) return;
    this.#remoteFin = true;
    this.push(null);
    this.#maybeForget();
  }

  #terminate(status: number | undefined): void {
    if (this.#dead) return;
    this.#dead = true;
    this.resetStatus = status;
    this.host.forget(this.id);
    if (!this.#remoteFin) { this.#remoteFin = true; this.push(null); }
    if (!this.writableEnded) this.end();
    this.emit('reset', status);
  }

  #maybeForget(): void {
    if (this.#remoteFin && this.#localFin) this.host.forget(this.id);
  }
}

export class SpdySession extends EventEmitter {
  readonly #socket: Duplex;
  readonly #opts: SpdySessionOptions;
  readonly #reader = new FrameReader();
  readonly #compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  readonly #streams = new Map<number, SpdyStream>();
  readonly #pending = new Map<number, { resolve(s: SpdyStream): void; reject(e: Error): void; stream: SpdyStream }>();
  #chain: Promise<void> = Promise.resolve();
  /** Bytes received and not yet acknowledged, per stream and for the session. */
  readonly #unacked = new Map<number, number>();
  #sessionUnacked = 0;
  #nextId: number;
  #lastPeerId = 0;
  #pausedByUs = false;
  #closed = false;
  #goneAway = false;
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(socket: Duplex, opts: SpdySessionOptions) {
    super();
    this.#socket = socket;
    this.#opts = opts;
    this.#nextId = opts.isServer ? 2 : 1;
    this.closed = new Promise((resolve) => { this.#resolveClosed = resolve; });
    const host: StreamHost = {
      sendData: (id, data, fin, cb) => this.#sendData(id, data, fin, cb),
      sendReset: (id, status) => this.#send({ type: 'rstStream', streamId: id, status }),
      forget: (id) => {
        this.#streams.delete(id);
        if (this.#streams.size === 0) this.emit('idle');
      },
      readMore: () => {
        if (this.#pausedByUs) { this.#pausedByUs = false; this.#socket.resume(); }
      },
    };
    this.#host = host;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#teardown());
    socket.on('close', () => this.#teardown());
    socket.on('error', (err) => { this.emit('socketError', err); this.#teardown(); });
    if (opts.head?.length) this.#onData(opts.head);
  }

  readonly #host: StreamHost;

  get isClosed(): boolean { return this.#closed; }
  get goneAway(): boolean { return this.#goneAway; }
  get streamCount(): number { return this.#streams.size; }

  /** Opens a stream and resolves once the peer's SYN_REPLY arrives (rejects on RST_STREAM). */
  openStream(headers: Record<string, string | readonly string[]>, opts: { fin?: boolean } = {}): Promise<SpdyStream> {
    if (this.#closed) return Promise.reject(new Error('SPDY session is closed'));
    const id = this.#nextId;
    this.#nextId += 2;
    const normalized: SpdyHeaders = {};
    for (const [k, v] of Object.entries(headers)) normalized[k.toLowerCase()] = typeof v === 'string' ? [v] : [...v];
    const stream = new SpdyStream(id, normalized, this.#host);
    this.#streams.set(id, stream);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, stream });
      this.#send({
        type: 'synStream', streamId: id, associatedId: 0, priority: 0, fin: opts.fin ?? false, unidirectional: false,
        headerBlock: this.#compressor.compress(encodeHeaderBlock(headers)),
      });
      if (opts.fin) stream.end();
    });
  }

  /** Sends GOAWAY (no new streams) without closing the connection. */
  goAway(status = 0): void {
    this.#send({ type: 'goAway', lastGoodStreamId: this.#lastPeerId, status });
  }

  /** GOAWAY, then close the socket's writing side; streams end. */
  close(): void {
    if (this.#closed) return;
    this.goAway();
    this.#socket.end();
    this.#teardown();
  }

  destroy(err?: Error): void {
    if (err) this.emit('protocolError', err);
    this.#socket.destroy();
    this.#teardown();
  }

  #onData(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.#reader.push(chunk);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    for (const frame of frames) {
      this.#chain = this.#chain.then(() => this.#handle(frame)).catch((err: unknown) => this.destroy(err as Error));
    }
  }

  async #handle(frame: SpdyFrame): Promise<void> {
    switch (frame.type) {
      case 'data': {
        const stream = this.#streams.get(frame.streamId);
        if (!stream) return;
        if (!stream.receive(frame.data, frame.fin) && !this.#pausedByUs) {
          this.#pausedByUs = true;
          this.#socket.pause();
        }
        // The peer may honour windows even though we do not enforce ours: keep them open.
        if (frame.fin) {
          this.#unacked.delete(frame.streamId);
        } else if (frame.data.length) {
          const streamUnacked = (this.#unacked.get(frame.streamId) ?? 0) + frame.data.length;
          if (streamUnacked >= windowUpdateThreshold) {
            this.#send({ type: 'windowUpdate', streamId: frame.streamId, delta: streamUnacked });
            this.#unacked.delete(frame.streamId);
          } else {
            this.#unacked.set(frame.streamId, streamUnacked);
          }
        }
        this.#sessionUnacked += frame.data.length;
        if (this.#sessionUnacked >= windowUpdateThreshold) {
          this.#send({ type: 'windowUpdate', streamId: 0, delta: this.#sessionUnacked });
          this.#sessionUnacked = 0;
        }
        return;
      }
      case 'synStream': {
        const headers = decodeHeaderBlock(await this.#decompressor.decompress(frame.headerBlock));
        const fromPeer = this.#opts.isServer ? frame.streamId % 2 === 1 : frame.streamId % 2 === 0;
        if (!fromPeer || frame.streamId <= this.#lastPeerId || this.#streams.has(frame.streamId)) {
          this.#send({ type: 'rstStream', streamId: frame.streamId, status: RstStatus.protocolError });
          return;
        }
        this.#lastPeerId = frame.streamId;
        if (this.#goneAway) {
          this.#send({ type: 'rstStream', streamId: frame.streamId, status: RstStatus.refusedStream });
          return;
        }
        const stream = new SpdyStream(frame.streamId, headers, this.#host);
        this.#streams.set(frame.streamId, stream);
        this.#send({ type: 'synReply', streamId: frame.streamId, fin: false, headerBlock: this.#compressor.compress(encodeHeaderBlock({})) });
        if (frame.fin) stream.receiveFin();
        if (this.#opts.onStream) this.#opts.onStream(stream);
        else stream.reset(RstStatus.refusedStream);
        return;
      }
      case 'synReply': {
        await this.#decompressor.decompress(frame.headerBlock);
        const pending = this.#pending.get(frame.streamId);
        if (!pending) return;
        this.#pending.delete(frame.streamId);
        if (frame.fin) pending.stream.receiveFin();
        pending.resolve(pending.stream);
        return;
      }
      case 'headers':
        // Decoded only to keep the zlib context in step; no use for trailing headers here.
        await this.#decompressor.decompress(frame.headerBlock);
        if (frame.fin) this.#streams.get(frame.streamId)?.receiveFin();
        return;
      case 'rstStream': {
        const pending = this.#pending.get(frame.streamId);
        if (pending) {
          this.#pending.delete(frame.streamId);
          pending.reject(new Error(`SPDY stream ${frame.streamId} was reset (status ${frame.status})`));
        }
        this.#streams.get(frame.streamId)?.terminate(frame.status);
        return;
      }
      case 'ping': {
        const peerParity = this.#opts.isServer ? 1 : 0;
        if (frame.id % 2 === peerParity) this.#send(frame);
        return;
      }
      case 'goAway':
        this.#goneAway = true;
        this.emit('goaway', frame.lastGoodStreamId);
        return;
      case 'settings':
      case 'windowUpdate':
      case 'unknown':
        return;
    }
  }

  #send(frame: SpdyFrame): boolean {
    if (this.#socket.destroyed || this.#socket.writableEnded) return false;
    return this.#socket.write(encodeFrame(frame));
  }

  #sendData(id: number, data: Buffer, fin: boolean, cb: (err?: Error | null) => void): void {
    if (this.#socket.destroyed || this.#socket.writableEnded) return cb();
    let ok = true;
    if (data.length === 0) {
      ok = this.#send({ type: 'data', streamId: id, fin, data });
    } else {
      for (let off = 0; off < data.length; off += maxDataChunk) {
        const end = Math.min(data.length, off + maxDataChunk);
        ok = this.#send({ type: 'data', streamId: id, fin: fin && end === data.length, data: data.subarray(off, end) });
      }
    }
    if (ok) return cb();
    const onDrain = () => { this.#socket.off('close', onDrain); this.#socket.off('drain', onDrain); cb(); };
    this.#socket.once('drain', onDrain);
    this.#socket.once('close', onDrain);
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#chain.finally(() => {
      for (const [, p] of this.#pending) p.reject(new Error('SPDY connection closed'));
      this.#pending.clear();
      for (const s of [...this.#streams.values()]) s.terminate(undefined);
      this.#streams.clear();
      this.#decompressor.close();
      if (!this.#socket.writableEnded) this.#socket.end();
      this.#resolveClosed();
      this.emit('close');
    });
  }
}
