import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'

/** One archive entry: its bytes are produced in pieces, so a 250 MB entry never exists in memory. */
export interface GenEntry {
  name: string
  size: number
  /** The piece at offset (at most `max` bytes); the pieces must add up to size. */
  piece: (offset: number, max: number) => Buffer
}

/** A .tar.gz written entry by entry with backpressure. */
export async function writeTarGz(path: string, entries: Iterable<GenEntry>, level = 1): Promise<void> {
  const pack = tar.pack()
  const out = pipeline(pack, createGzip({ level }), createWriteStream(path))
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const w = pack.entry({ name: e.name, size: e.size }, (err?: Error | null) => (err ? reject(err) : resolve()))
      let off = 0
      const write = () => {
        while (off < e.size) {
          const b = e.piece(off, Math.min(1 << 20, e.size - off))
          off += b.length
          if (!w.write(b)) return void w.once('drain', write)
        }
        w.end(() => undefined)
      }
      write()
    })
  }
  pack.finalize()
  await out
}

/** Bytes of one repeated buffer: zeros, or a text line. */
export function repeated(unit: Buffer): GenEntry['piece'] {
  const block = Buffer.alloc(1 << 20)
  for (let i = 0; i < block.length; i++) block[i] = unit[i % unit.length] as number
  return (offset, max) => {
    const start = offset % unit.length
    return block.subarray(start, start + max)
  }
}

export function textEntry(name: string, text: string): GenEntry {
  const b = Buffer.from(text)
  return { name, size: b.length, piece: (o, m) => b.subarray(o, o + m) }
}
