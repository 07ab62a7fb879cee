import { createReadStream } from 'node:fs'
import { lstat, open, readdir, realpath } from 'node:fs/promises'
import { basename, join, relative, sep } from 'node:path'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
// CommonJS packages: under Node's ESM loader only their default export is reliable.
import tar from 'tar-stream'
import xz from 'xz-decompress'
import type { ImportEntry } from '../../../core/capture/import-map'
import { AppError } from '../../store/app-error'

/** A folder, an archive or a single file, read without writing anything to disk. */
export interface Bundle {
  /** The folder's or archive's name, for the captures' origin. */
  name: string
  kind: 'folder' | 'tar' | 'file'
  entries: ImportEntry[]
  /** The content of a file entry, or null when it was not kept (too large, not wanted, unreadable). */
  read(path: string): Promise<Buffer | null>
  /** Entries that were refused while reading and why (path escapes, too large…). */
  refused: { path: string; reason: string }[]
  /** The archive broke off: entries before the damage are there, the rest is not. */
  damage: string | null
}

export interface BundleOptions {
  /** A file above this is not read (and said so). */
  maxFileBytes: number
  /** Files worth keeping while an archive streams by (archives are read once). */
  keep(path: string): boolean
  signal?: AbortSignal | undefined
  onProgress?: ((bytesRead: number, totalBytes: number) => void) | undefined
}

const gzipMagic = [0x1f, 0x8b]
const xzMagic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]

function startsWith(b: Buffer, magic: number[]): boolean {
  return magic.every((m, i) => b[i] === m)
}

/** Archive formats people send that are not read here: said plainly instead of imported as text. */
function otherArchive(b: Buffer): string | null {
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return 'zip'
  if (startsWith(b, [0x42, 0x5a, 0x68])) return 'bzip2'
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z'
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd'
  if (startsWith(b, [0x52, 0x61, 0x72, 0x21])) return 'rar'
  return null
}

/** A tar header: "ustar" at 257, or a valid header checksum (old v7 tars). */
function looksLikeTar(b: Buffer): boolean {
  if (b.length < 512) return false
  if (b.toString('latin1', 257, 262) === 'ustar') return true
  const stored = parseInt(b.toString('latin1', 148, 156).replace(/\0.*$/, '').trim(), 8)
  if (!Number.isFinite(stored)) return false
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (b[i] as number)
  return sum === stored
}

/** An entry name that would leave the archive's folder if extracted: refused (we never extract, but say so). */
export function unsafeEntryName(name: string): boolean {
  return name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.split(/[\\/]/).includes('..') || name.includes('\0')
}

async function head(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r')
  try {
    const b = Buffer.alloc(n)
    const { bytesRead } = await fh.read(b, 0, n, 0)
    return b.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

function counted(path: string, total: number, opts: BundleOptions): Readable {
  const s = createReadStream(path, { highWaterMark: 1 << 20 })
  let done = 0
  s.on('data', (c: Buffer | string) => {
    done += c.length
    opts.onProgress?.(done, total)
  })
  return s
}

/** The decompressed byte stream of a file: gzip and xz by their magic, else the file itself. */
function decompressed(path: string, magic: Buffer, total: number, opts: BundleOptions): Readable {
  const raw = counted(path, total, opts)
  if (startsWith(magic, gzipMagic)) return raw.pipe(createGunzip())
  if (startsWith(magic, xzMagic)) return Readable.fromWeb(new xz.XzReadableStream(Readable.toWeb(raw) as ReadableStream<Uint8Array>) as never)
  return raw
}

/** Reads up to max bytes of a stream; null when it is longer. */
async function readAll(stream: AsyncIterable<Buffer>, max: number): Promise<Buffer | null> {
  const parts: Buffer[] = []
  let n = 0
  for await (const c of stream) {
    n += c.length
    if (n > max) return null
    parts.push(c)
  }
  return Buffer.concat(parts)
}

export async function openBundle(path: string, opts: BundleOptions): Promise<Bundle> {
  let st
  try {
    st = await lstat(path)
  } catch (err) {
    throw new AppError('not_found', `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file or folder' : (err as Error).message}.`)
  }
  if (st.isSymbolicLink()) {
    // The path the engineer gave may be a link; what is inside a bundle is never followed.
    return openBundle(await realpath(path), opts)
  }
  if (st.isDirectory()) return openFolder(path, opts)
  if (!st.isFile()) throw new AppError('invalid_input', `${path} is not a file or a folder.`)
  const magic = await head(path, 512)
  const other = otherArchive(magic)
  if (other) throw new AppError('invalid_input', `${basename(path)} is a ${other} archive, which the workbench does not read. Unpack it and import the folder, or pack it as .tar.gz or .tar.xz.`)
  const compressed = startsWith(magic, gzipMagic) || startsWith(magic, xzMagic)
  if (!compressed && looksLikeTar(magic)) return openTar(path, decompressed(path, magic, st.size, opts), opts)
  if (compressed) {
    // A compressed tar, or one compressed file (flows.txt.gz): peek at the first 512 decompressed bytes.
    const stream = decompressed(path, magic, st.size, opts)
    const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
    const first: Buffer[] = []
    let have = 0
    try {
      while (have < 512) {
        const r = await it.next()
        if (r.done) break
        first.push(r.value)
        have += r.value.length
      }
    } catch (err) {
      throw new AppError('invalid_input', `${basename(path)} is damaged: ${(err as Error).message}. Nothing was imported.`)
    }
    const start = Buffer.concat(first)
    const rest = (async function* () {
      yield start
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer
    })()
    if (looksLikeTar(start)) return openTar(path, Readable.from(rest), opts)
    const name = basename(path).replace(/\.(gz|xz)$/, '')
    const data = await readAll(rest, opts.maxFileBytes).catch((err: Error) => {
      throw new AppError('invalid_input', `${basename(path)} is damaged: ${err.message}. Nothing was imported.`)
    })
    return singleFile(basename(path), name, data, opts)
  }
  const data = st.size > opts.maxFileBytes ? null : await readAll(counted(path, st.size, opts), opts.maxFileBytes)
  return singleFile(basename(path), basename(path), data, opts)
}

function singleFile(bundleName: string, entryName: string, data: Buffer | null, opts: BundleOptions): Bundle {
  const refused = data === null ? [{ path: entryName, reason: `larger than ${opts.maxFileBytes} bytes` }] : []
  return {
    name: bundleName,
    kind: 'file',
    entries: [{ path: entryName, size: data?.length ?? 0, kind: 'file' }],
    read: async (p) => (p === entryName ? data : null),
    refused,
    damage: null
  }
}

async function openTar(path: string, stream: Readable, opts: BundleOptions): Promise<Bundle> {
  const entries: ImportEntry[] = []
  const kept = new Map<string, Buffer>()
  const refused: Bundle['refused'] = []
  let damage: string | null = null
  /** The entry being read: if the archive breaks inside it, it is incomplete and dropped. */
  let reading: string | null = null
  const extract = tar.extract()
  stream.on('error', (err) => extract.destroy(err))
  stream.pipe(extract)
  try {
    for await (const entry of extract) {
      if (opts.signal?.aborted) {
        extract.destroy()
        throw new AppError('conflict', 'The import was cancelled; nothing was imported.')
      }
      const h = entry.header
      const name = h.name.replace(/^\.\//, '')
      const kind: ImportEntry['kind'] = h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type === 'directory' ? 'dir' : h.type === 'symlink' || h.type === 'link' ? 'symlink' : 'other'
      if (unsafeEntryName(h.name)) {
        refused.push({ path: h.name, reason: 'its name leads outside the archive (absolute or "..")' })
        entry.resume()
        continue
      }
      entries.push({ path: name, size: h.size ?? 0, kind, mtimeMs: h.mtime ? h.mtime.getTime() : null })
      reading = name
      if (kind === 'symlink') refused.push({ path: name, reason: `a link to ${h.linkname ?? '?'}, not followed` })
      if (kind === 'file' && opts.keep(name)) {
        if ((h.size ?? 0) > opts.maxFileBytes) {
          refused.push({ path: name, reason: `${h.size} bytes, over the ${opts.maxFileBytes}-byte limit per file` })
          entry.resume()
          continue
        }
        const data = await readAll(entry as AsyncIterable<Buffer>, opts.maxFileBytes)
        if (data) kept.set(name, data)
        reading = null
        continue
      }
      entry.resume()
      reading = null
    }
  } catch (err) {
    if (err instanceof AppError) throw err
    if (reading !== null && entries[entries.length - 1]?.path === reading) {
      entries.pop()
      kept.delete(reading)
    }
    if (entries.length === 0) throw new AppError('invalid_input', `${basename(path)} is not a readable archive: ${(err as Error).message}. Nothing was imported.`)
    damage = `the archive is damaged after ${entries.length} entries (${(err as Error).message}); what came before is imported, the rest is not`
  }
  return { name: basename(path), kind: 'tar', entries, read: async (p) => kept.get(p) ?? null, refused, damage }
}

async function openFolder(root: string, opts: BundleOptions): Promise<Bundle> {
  const entries: ImportEntry[] = []
  const refused: Bundle['refused'] = []
  const realRoot = await realpath(root)
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 30) return
    for (const d of await readdir(dir, { withFileTypes: true })) {
      if (opts.signal?.aborted) throw new AppError('conflict', 'The import was cancelled; nothing was imported.')
      const full = join(dir, d.name)
      const rel = relative(root, full).split(sep).join('/')
      if (d.isSymbolicLink()) {
        entries.push({ path: rel, size: 0, kind: 'symlink' })
        refused.push({ path: rel, reason: 'a symbolic link, not followed' })
      } else if (d.isDirectory()) {
        entries.push({ path: rel, size: 0, kind: 'dir' })
        await walk(full, depth + 1)
      } else if (d.isFile()) {
        const st = await lstat(full)
        entries.push({ path: rel, size: st.size, kind: 'file', mtimeMs: st.mtimeMs })
      } else entries.push({ path: rel, size: 0, kind: 'other' })
    }
  }
  await walk(root, 0)
  const sizes = new Map(entries.map((e) => [e.path, e]))
  return {
    name: basename(realRoot),
    kind: 'folder',
    entries,
    refused,
    damage: null,
    read: async (p) => {
      const e = sizes.get(p)
      if (!e || e.kind !== 'file' || unsafeEntryName(p)) return null
      if (e.size > opts.maxFileBytes) return null
      const full = join(root, p)
      // A file swapped for a link since the walk is not followed either.
      if ((await lstat(full)).isSymbolicLink() || !(await realpath(full)).startsWith(realRoot + sep)) return null
      return readAll(createReadStream(full), opts.maxFileBytes)
    }
  }
}
