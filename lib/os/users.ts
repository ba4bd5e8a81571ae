// User and group lookups (getpwnam/getgrnam): Node has none, so ask getent(1), which goes through
// NSS like libc does. Inside another root (chpst -/) NSS cannot be used, so <root>/etc/passwd and
// <root>/etc/group are read directly; the same file parser is the fallback when getent is missing.

import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { errnoCode } from '../errors/errors.js'

export interface PasswdEntry { name: string, uid: number, gid: number }
export interface GroupEntry { name: string, gid: number, members: string[] }

/** Lookup failure other than "no such name" (runit: "unable to get password/group file entry"). */
export class LookupError extends Error {
  constructor (message: string, readonly code: string) {
    super(message)
  }
}

function rows (text: string): string[][] {
  return text.split('\n').filter(l => l !== '' && !l.startsWith('#')).map(l => l.split(':'))
}

const toPasswd = (f: string[]): PasswdEntry => ({ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]) })
const toGroup = (f: string[]): GroupEntry => ({
  name: f[0] ?? '',
  gid: Number(f[2]),
  members: (f[3] ?? '').split(',').filter(m => m !== '')
})

function readDb (root: string, db: 'passwd' | 'group'): string[][] {
  try {
    return rows(readFileSync(join(root, 'etc', db), 'utf8'))
  } catch (err) {
    throw new LookupError(`cannot read ${join(root, 'etc', db)}`, errnoCode(err) ?? 'EIO')
  }
}

/** getent <db> <names…>: rows found, or undefined when getent itself is unavailable. */
function getent (db: 'passwd' | 'group', names: readonly string[]): string[][] | undefined {
  const r = spawnSync('getent', [db, '--', ...names], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  if (r.error !== undefined) return undefined
  // 0 all found, 2 some key not found; anything else is a failure of the lookup itself.
  if (r.status !== 0 && r.status !== 2) throw new LookupError(`getent ${db} exited ${String(r.status)}`, 'EIO')
  return rows(r.stdout)
}

/** Entries by name. Names are never taken as numbers (getent would look "0" up as uid 0). */
function lookup (db: 'passwd' | 'group', names: readonly string[], root: string | undefined): string[][] {
  const wanted = names.filter(n => n !== '')
  if (wanted.length === 0) return []
  const found = (root === undefined ? getent(db, wanted) : undefined) ?? readDb(root ?? '/', db)
  return found.filter(f => wanted.includes(f[0] ?? ''))
}

/** getpwnam(name), inside `root` when given. */
export function getpwnam (name: string, root?: string): PasswdEntry | undefined {
  const row = lookup('passwd', [name], root)[0]
  return row === undefined ? undefined : toPasswd(row)
}

/** getgrnam() for each name, in order; undefined for a name that does not exist. */
export function getgrnams (names: readonly string[], root?: string): Array<GroupEntry | undefined> {
  const found = lookup('group', names, root).map(toGroup)
  return names.map(n => found.find(g => g.name === n))
}

/** What initgroups(3) would set inside `root`: gid first, then every group listing the user. */
export function groupListIn (root: string, user: string, gid: number): number[] {
  const gids = [gid]
  for (const g of readDb(root, 'group').map(toGroup)) {
    if (g.members.includes(user) && !gids.includes(g.gid)) gids.push(g.gid)
  }
  return gids
}
