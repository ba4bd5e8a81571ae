// Parses a log directory's `config` file (svlogd(8)): s n N t ! u U p + - e E lines. Pure.
//
// Like runit: the file is read as a whole and split at newlines; a line is only looked at when at
// least two bytes of the file remain from its start (so a final one-byte line without a newline
// is ignored); numbers are read as runit's scan_ulong does (leading digits, none = 0) and any text
// after them is ignored except the documented unit suffixes.

import type { Instruction } from './pattern.js'

export interface UdpTarget {
  address: string
  port: number
}

export interface LogConfig {
  /** s: rotate when current reaches this many bytes; 0 = never by size */
  size: number
  /** n: keep at most this many old log files; 0 = never delete */
  num: number
  /** N: on a full disk, delete old files down to this many (only when N < n) */
  min: number
  /** t: rotate a non-empty current this many seconds after the previous rotation; 0 = off */
  age: number
  /** !: processor command run through /bin/sh -c, or null */
  processor: string | null
  /** u/U: also send selected lines to this IPv4 UDP address */
  udp: UdpTarget | null
  /** U: send selected lines by UDP only, not to current */
  udpOnly: boolean
  /** p: prefix of every line written, echoed or sent (empty = none) */
  prefix: Buffer
  /** + - e E lines in config order */
  instructions: Instruction[]
}

export const DEFAULT_UDP_PORT = 514

export function defaultConfig (): LogConfig {
  return {
    size: 1000000, num: 10, min: 10, age: 0, processor: null,
    udp: null, udpOnly: false, prefix: Buffer.alloc(0), instructions: []
  }
}

export interface ParsedConfig {
  config: LogConfig
  /** warning texts in runit's wording, e.g. "unable to scan ip address: 1.2.x" */
  warnings: string[]
}

/** scan_ulong: the value of the leading decimal digits and how many there were. */
function scanUlong (b: Buffer, at: number): { value: number, used: number } {
  let value = 0
  let i = at
  while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39) {
    value = value * 10 + (b[i]! - 0x30)
    i++
  }
  return { value, used: i - at }
}

/** a.b.c.d with each part 0..255: the address text and the bytes used, or null. */
function scanIp4 (b: Buffer, at: number): { address: string, used: number } | null {
  const parts: number[] = []
  let i = at
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (b[i] !== 0x2e) return null
      i++
    }
    const n = scanUlong(b, i)
    if (n.used === 0 || n.value > 255) return null
    parts.push(n.value)
    i += n.used
  }
  return { address: parts.join('.'), used: i - at }
}

function parseUdp (value: Buffer, warnings: string[]): UdpTarget | null {
  const ip = scanIp4(value, 0)
  if (ip === null) {
    warnings.push(`unable to scan ip address: ${value.toString('latin1')}`)
    return null
  }
  if (value[ip.used] !== 0x3a) return { address: ip.address, port: DEFAULT_UDP_PORT }
  const port = scanUlong(value, ip.used + 1)
  if (port.value === 0 || port.value > 65535) {
    warnings.push(`unable to scan port number: ${value.subarray(ip.used + 1).toString('latin1')}`)
    return null
  }
  return { address: ip.address, port: port.value }
}

export function parseConfig (text: Buffer): ParsedConfig {
  const config = defaultConfig()
  const warnings: string[] = []
  let i = 0
  while (i + 1 < text.length) {
    let nl = text.indexOf(0x0a, i)
    if (nl < 0) nl = text.length
    let line = text.subarray(i, nl)
    i = nl + 1
    // runit handles each line as a C string: a NUL byte ends it.
    const nul = line.indexOf(0)
    if (nul >= 0) line = line.subarray(0, nul)
    if (line.length === 0) continue
    const value = line.subarray(1)
    switch (String.fromCharCode(line[0]!)) {
      case '+': case '-': case 'e': case 'E':
        config.instructions.push({ op: String.fromCharCode(line[0]!) as Instruction['op'], pattern: Buffer.from(value) })
        break
      case 's': {
        const n = scanUlong(value, 0)
        const unit = value[n.used]
        config.size = n.value * (unit === 0x6d ? 1048576 : unit === 0x6b ? 1024 : 1) // m, k
        break
      }
      case 'n':
        config.num = scanUlong(value, 0).value
        break
      case 'N':
        config.min = scanUlong(value, 0).value
        break
      case 't': {
        const n = scanUlong(value, 0)
        const unit = value[n.used]
        config.age = n.value * (unit === 0x68 ? 3600 : unit === 0x6d ? 60 : 1) // h, m
        break
      }
      case '!':
        if (value.length > 0) config.processor = value.toString()
        break
      case 'u': case 'U': {
        // runit sets "UDP only" even when the address is bad, which then drops every line; here
        // a bad u/U line is ignored as a whole.
        const target = parseUdp(value, warnings)
        if (target === null) break
        config.udp = target
        if (line[0] === 0x55) config.udpOnly = true
        break
      }
      case 'p':
        if (value.length > 0) config.prefix = Buffer.from(value)
        break
      default:
        // '#' comments and unknown lines are ignored.
        break
    }
  }
  return { config, warnings }
}
