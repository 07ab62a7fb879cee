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

/**
 * A folder, an archive or a single file, read without writing anything to disk. An archive is read twice:
 * once to list it (keeping only the small files that say what the rest is), then once more to hand the
 * taken files over one at a time, so an import holds one file in memory, never the archive's worth.
 */
export interface Bundle {
  /** The folder's or archive's name, for the captures' origin. */
  name: string
  kind: 'folder' | 'tar' | 'file'
  entries: ImportEntry[]
  /**
   * A small file the plan reads (a manifest, a host name, a pod's YAML, a stderr file), or null when it was
   * not kept. In a folder or a single file, any file under the limit.
   */
  read(path: string): Promise<Buffer | null>
  /**
   * Hands over the content of each named file, in the bundle's order, one at a time (the next is not read
   * until fn is done). A file over the limit, or unreadable, is not handed over. Stops when cancelled.
   * With onBinary, a file with a NUL byte in its first 8 KB is told there and not read further.
   */
  each(paths: ReadonlySet<string>, fn: (path: string, data: Buffer) => Promise<void>, onBinary?: (path: string) => void): Promise<void>
  /** Entries that were refused while reading and why (path escapes, too large…). */
  refused: { path: string; reason: string }[]
  /** The archive broke off: entries before the damage are there, the rest is not. */
  damage: string | null
}

export interface BundleOptions {
  /** A file above this is not read (and said so as soon as its size is known). */
  maxFileBytes: number
  /** The small files the plan needs, kept while an archive is listed. */
  keep(path: string): boolean
  cancelled?: (() => boolean) | undefined
  onProgress?: ((bytesRead: number, totalBytes: number) => void) | undefined
}

/** A kept planning file above this is not kept (a collector manifest of 100,000 outputs is 6 MB). */
export const maxPlanningFileBytes = 16 * 1024 * 1024
/** All kept planning files together stay under this; past it, the rest are refused and said so. */
export const maxPlanningBytes = 64 * 1024 * 1024

const cancelledError = () => new AppError('conflict', 'The import was cancelled; nothing was imported.')

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

/** How much of a file's start decides that it is binary (a NUL byte there): git's own rule. */
export const binaryProbeBytes = 8192

/** What readAll gives for a file whose start is binary, when asked to look. */
export const binary = Symbol('binary')

/**
 * Reads up to max bytes of a stream; null when it is longer, or when cancelled part way. With probe, a
 * stream whose first 8 KB hold a NUL byte is binary: the rest is drained, never held (a 250 MB binary
 * costs its reading, not its size in memory). The stream is always read to its end unless cancelled:
 * leaving a tar entry half-read stalls the archive for good.
 */
async function readAll(stream: AsyncIterable<Buffer>, max: number, cancelled?: () => boolean, probe = false): Promise<Buffer | null | typeof binary> {
  const parts: Buffer[] = []
  let n = 0
  let verdict: null | typeof binary | 'too-big' = null
  let probing = probe
  for await (const c of stream) {
    if (cancelled?.()) return null
    n += c.length
    if (verdict !== null) continue
    if (n > max) {
      verdict = 'too-big'
      parts.length = 0
      continue
    }
    parts.push(c)
    if (probing && n >= binaryProbeBytes) {
      probing = false
      if (Buffer.concat(parts).subarray(0, binaryProbeBytes).includes(0)) {
        verdict = binary
        parts.length = 0
      }
    }
  }
  if (verdict === binary) return binary
  if (verdict === 'too-big') return null
  const all = Buffer.concat(parts)
  if (probing && all.includes(0)) return binary
  return all
}

/** readAll without the probe: a Buffer or null. */
async function readWhole(stream: AsyncIterable<Buffer>, max: number, cancelled?: () => boolean): Promise<Buffer | null> {
  const r = await readAll(stream, max, cancelled)
  return r === binary ? null : r
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
  const size = st.size
  const reopen = () => decompressed(path, magic, size, { ...opts, onProgress: undefined })
  if (!compressed && looksLikeTar(magic)) return openTar(path, decompressed(path, magic, st.size, opts), reopen, opts)
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
    if (looksLikeTar(start)) return openTar(path, Readable.from(rest), reopen, opts)
    const name = basename(path).replace(/\.(gz|xz)$/, '')
    const data = await readWhole(rest, opts.maxFileBytes, opts.cancelled).catch((err: Error) => {
      throw new AppError('invalid_input', `${basename(path)} is damaged: ${err.message}. Nothing was imported.`)
    })
    return singleFile(basename(path), name, data, opts)
  }
  const data = st.size > opts.maxFileBytes ? null : await readWhole(counted(path, st.size, opts), opts.maxFileBytes, opts.cancelled)
  if (opts.cancelled?.()) throw cancelledError()
  return singleFile(basename(path), basename(path), data, opts)
}

function singleFile(bundleName: string, entryName: string, data: Buffer | null, opts: BundleOptions): Bundle {
  const refused = data === null ? [{ path: entryName, reason: `larger than ${opts.maxFileBytes} bytes` }] : []
  return {
    name: bundleName,
    kind: 'file',
    entries: [{ path: entryName, size: data?.length ?? 0, kind: 'file' }],
    read: async (p) => (p === entryName ? data : null),
    each: async (paths, fn, onBinary) => {
      if (!data || !paths.has(entryName) || opts.cancelled?.()) return
      if (onBinary && data.subarray(0, binaryProbeBytes).includes(0)) onBinary(entryName)
      else await fn(entryName, data)
    },
    refused,
    damage: null
  }
}

/** The kind of a tar entry, as the import sees it. */
function entryKind(type: string | null | undefined): ImportEntry['kind'] {
  return type === 'file' || type === 'contiguous-file' ? 'file' : type === 'directory' ? 'dir' : type === 'symlink' || type === 'link' ? 'symlink' : 'other'
}

/** Walks a tar stream entry by entry; visit decides, per entry, whether to read its content (and gets it). */
async function walkTar(
  stream: Readable,
  visit: (e: { header: tar.Header; name: string; kind: ImportEntry['kind'] }) =>
    | { read: false }
    | { read: true; probe?: boolean; take: (data: Buffer | null | typeof binary) => Promise<void> },
  cancelled: (() => boolean) | undefined
): Promise<void> {
  const extract = tar.extract()
  stream.on('error', (err) => extract.destroy(err))
  stream.pipe(extract)
  try {
    for await (const entry of extract) {
      if (cancelled?.()) throw cancelledError()
      const h = entry.header
      const v = visit({ header: h, name: h.name.replace(/^\.\//, ''), kind: entryKind(h.type) })
      if (!v.read) {
        // Skipped, but still read through (a tar has no index): chunk by chunk, so a cancel is seen inside a
        // 270 MB entry too instead of after it.
        for await (const _chunk of entry as AsyncIterable<Buffer>) if (cancelled?.()) throw cancelledError()
        continue
      }
      const data = await readAll(entry as AsyncIterable<Buffer>, Number.MAX_SAFE_INTEGER, cancelled, v.probe ?? false)
      // Cancelled inside an entry: the archive is given up here (the finally below ends both streams).
      if (cancelled?.()) throw cancelledError()
      await v.take(data)
    }
  } finally {
    extract.destroy()
    stream.destroy()
  }
}

async function openTar(path: string, stream: Readable, reopen: () => Readable, opts: BundleOptions): Promise<Bundle> {
  const entries: ImportEntry[] = []
  const kept = new Map<string, Buffer>()
  const listed = new Set<string>()
  const refused: Bundle['refused'] = []
  let keptBytes = 0
  let damage: string | null = null
  /** The entry being read: if the archive breaks inside it, it is incomplete and dropped. */
  let reading: string | null = null
  try {
    await walkTar(
      stream,
      ({ header: h, name, kind }) => {
        reading = null
        if (unsafeEntryName(h.name)) {
          refused.push({ path: h.name, reason: 'its name leads outside the archive (absolute or "..")' })
          return { read: false }
        }
        const size = h.size ?? 0
        entries.push({ path: name, size, kind, mtimeMs: h.mtime ? h.mtime.getTime() : null })
        reading = name
        if (kind === 'symlink') refused.push({ path: name, reason: `a link to ${h.linkname ?? '?'}, not followed` })
        if (kind !== 'file') return { read: false }
        if (size > opts.maxFileBytes) {
          // Known from the header: refused before a byte of it is read.
          refused.push({ path: name, reason: `${size} bytes, over the ${opts.maxFileBytes}-byte limit per file` })
          return { read: false }
        }
        listed.add(name)
        if (!opts.keep(name)) return { read: false }
        if (size > maxPlanningFileBytes) {
          refused.push({ path: name, reason: `${size} bytes: larger than the ${maxPlanningFileBytes}-byte manifest or stderr file this reads, not kept` })
          return { read: false }
        }
        if (keptBytes + size > maxPlanningBytes) {
          refused.push({ path: name, reason: `not kept: the manifests and stderr files already read hold ${keptBytes} bytes, the ${maxPlanningBytes}-byte limit of one import` })
          return { read: false }
        }
        return {
          read: true,
          take: async (data) => {
            if (data && data !== binary) {
              kept.set(name, data)
              keptBytes += data.length
            }
            reading = null
          }
        }
      },
      opts.cancelled
    )
  } catch (err) {
    if (err instanceof AppError) throw err
    if (reading !== null && entries[entries.length - 1]?.path === reading) {
      entries.pop()
      kept.delete(reading)
      listed.delete(reading)
    }
    if (entries.length === 0) throw new AppError('invalid_input', `${basename(path)} is not a readable archive: ${(err as Error).message}. Nothing was imported.`)
    damage = `the archive is damaged after ${entries.length} entries (${(err as Error).message}); what came before is imported, the rest is not`
  }
  const each: Bundle['each'] = async (paths, fn, onBinary) => {
    const wanted = new Set([...paths].filter((p) => listed.has(p)))
    if (wanted.size === 0) return
    const given = new Set<string>()
    try {
      await walkTar(
        reopen(),
        ({ header: h, name, kind }) => {
          // Each name once (a tar may repeat one), within the listed part of a damaged archive.
          if (kind !== 'file' || !wanted.has(name) || given.has(name) || unsafeEntryName(h.name)) return { read: false }
          given.add(name)
          return {
            read: true,
            probe: onBinary !== undefined,
            take: async (data) => {
              if (data === binary) onBinary?.(name)
              else if (data && !opts.cancelled?.()) await fn(name, data)
            }
          }
        },
        opts.cancelled
      )
    } catch (err) {
      // Cancelled, or the damage the listing already reported: what was handed over stays imported.
      if (!(err instanceof AppError) && damage === null) throw err
    }
  }
  return { name: basename(path), kind: 'tar', entries, read: async (p) => kept.get(p) ?? null, each, refused, damage }
}

async function openFolder(root: string, opts: BundleOptions): Promise<Bundle> {
  const entries: ImportEntry[] = []
  const refused: Bundle['refused'] = []
  const realRoot = await realpath(root)
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 30) return
    for (const d of await readdir(dir, { withFileTypes: true })) {
      if (opts.cancelled?.()) throw cancelledError()
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
  const read = async (p: string): Promise<Buffer | null> => {
    const e = sizes.get(p)
    if (!e || e.kind !== 'file' || unsafeEntryName(p)) return null
    if (e.size > opts.maxFileBytes) return null
    const full = join(root, p)
    // A file swapped for a link since the walk is not followed either.
    if ((await lstat(full)).isSymbolicLink() || !(await realpath(full)).startsWith(realRoot + sep)) return null
    return readWhole(createReadStream(full), opts.maxFileBytes, opts.cancelled)
  }
  return {
    name: basename(realRoot),
    kind: 'folder',
    entries,
    refused,
    damage: null,
    read,
    each: async (paths, fn, onBinary) => {
      for (const e of entries) {
        if (opts.cancelled?.()) return
        if (!paths.has(e.path)) continue
        const data = await read(e.path)
        if (!data || opts.cancelled?.()) continue
        if (onBinary && data.subarray(0, binaryProbeBytes).includes(0)) onBinary(e.path)
        else await fn(e.path, data)
      }
    }
  }
}
