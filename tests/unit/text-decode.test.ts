import { describe, expect, it } from 'vitest'
import { decodeText } from '../../src-main/node/text'

describe('decodeText (command output and imported files)', () => {
  it('gives the same string as UTF-8 decoding, ASCII or not', () => {
    for (const s of ['', ' cookie=0x0, table=0 actions=drop\n', 'naïve ünïcode — 端口 ✓\n', '\u0000\u007f']) {
      const b = Buffer.from(s, 'utf8')
      expect(decodeText(b)).toBe(b.toString('utf8'))
      expect(decodeText(b)).toBe(s)
    }
  })

  it('reads bytes that are not UTF-8 as UTF-8 does (U+FFFD), never as Latin-1', () => {
    const b = Buffer.from([0x61, 0xe9, 0x62, 0xff])
    expect(decodeText(b)).toBe('a\ufffdb\ufffd')
  })
})
