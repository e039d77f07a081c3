/**
 * Exact-size reads from a Node stream of bytes (an inflating zip entry): `read(n)` resolves to n
 * bytes, or fewer at the end. Chunks are pulled only as needed, so memory holds one chunk plus the
 * record being read; a record inside one chunk is a view of it, not a copy.
 *
 * @example const r = new ByteReader(stream); const header = await r.read(100)
 */
import type { Readable } from 'node:stream';

export class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private at = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<Buffer>;
  /** Bytes handed out so far. */
  consumed = 0;

  constructor(readonly stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const data = next.value;
    const rest = this.chunk.length - this.at;
    this.chunk = rest > 0 ? Buffer.concat([this.chunk.subarray(this.at), data]) : data;
    this.at = 0;
    return true;
  }

  /** The next `n` bytes (a view valid until the next read), or fewer when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    while (this.chunk.length - this.at < n) if (!(await this.pull())) break;
    const end = Math.min(this.chunk.length, this.at + n);
    const out = this.chunk.subarray(this.at, end);
    this.at = end;
    this.consumed += out.length;
    return out;
  }

  /** Skips `n` bytes without keeping them; resolves to the bytes skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.chunk.length - this.at === 0 && !(await this.pull())) break;
      const take = Math.min(left, this.chunk.length - this.at);
      this.at += take;
      left -= take;
    }
    this.consumed += n - left;
    return n - left;
  }

  /** Stops the stream (and its inflater). */
  destroy(): void {
    this.stream.destroy();
  }
}
