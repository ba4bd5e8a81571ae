// Change hints for one directory's entries, through chokidar (inotify on Linux). Only a hint:
// events can be missed (queue overflow, the directory replaced, network filesystems), so callers
// keep their own periodic check as the source of truth. Swapping chokidar touches this file only.

import { watch as chokidarWatch, type FSWatcher } from 'chokidar'
import { realpathSync } from 'node:fs'
import { basename, dirname } from 'node:path'

export interface EntryWatch {
  /** stops watching; safe to call more than once */
  close: () => Promise<void>
}

export interface EntryWatchOptions {
  /** names (directly inside the directory) whose changes are not worth a call */
  ignore?: (name: string) => boolean
  /** a watcher error (the caller's periodic check covers what it misses) */
  onError?: (err: unknown) => void
}

/**
 * Calls `onChange` when an entry directly inside `dir` appears or disappears (files, directories,
 * symlinks). Changes inside subdirectories and symlink targets are not reported. `dir` may be a
 * symlink: what it points to now is watched (chokidar would watch the link itself). Throws when
 * `dir` does not exist.
 */
export function watchEntries (dir: string, onChange: () => void, opts: EntryWatchOptions = {}): EntryWatch {
  const root = realpathSync(dir)
  const ignore = opts.ignore
  const watcher: FSWatcher = chokidarWatch(root, {
    depth: 0,
    ignoreInitial: true,
    // Do not descend into (or watch) what a service symlink points to.
    followSymlinks: false,
    // atomic would hold back unlink events for 100 ms to pair them with a re-add.
    atomic: false,
    ignored: ignore === undefined ? undefined : (path: string) => dirname(path) === root && ignore(basename(path))
  })
  const hint = (path: string): void => {
    if (dirname(path) === root) onChange()
  }
  for (const ev of ['add', 'addDir', 'unlink', 'unlinkDir'] as const) watcher.on(ev, hint)
  watcher.on('error', (err: unknown) => { opts.onError?.(err) })
  let closing: Promise<void> | undefined
  return {
    close: () => {
      closing ??= watcher.close()
      return closing
    }
  }
}
