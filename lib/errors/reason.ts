// errno code → runit's reason text (error_str.c wording, not strerror).

import { errnoCode } from './errors.js'

const REASONS: Record<string, string> = {
  ENOENT: 'file does not exist',
  EACCES: 'access denied',
  EPERM: 'permission denied',
  EAGAIN: 'temporary failure',
  EWOULDBLOCK: 'temporary failure',
  ENXIO: 'device not configured',
  EINTR: 'interrupted system call',
  ENOMEM: 'out of memory',
  ETXTBSY: 'text busy',
  EIO: 'input/output error',
  EEXIST: 'file already exists',
  EPIPE: 'broken pipe',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ESRCH: 'no such process',
  E2BIG: 'argument list too long',
  ENOEXEC: 'exec format error',
  EBADF: 'file descriptor not open',
  ECHILD: 'no child processes',
  EBUSY: 'device busy',
  EXDEV: 'cross-device link',
  EINVAL: 'invalid argument',
  ENFILE: 'system cannot open more files',
  EMFILE: 'process cannot open more files',
  ENOTTY: 'not a tty',
  EFBIG: 'file too big',
  ENOSPC: 'out of disk space',
  EROFS: 'read-only file system',
  ELOOP: 'symbolic link loop',
  ENAMETOOLONG: 'file name too long',
  ENOTEMPTY: 'directory not empty',
  EDQUOT: 'disk quota exceeded',
  ETIMEDOUT: 'timed out',
  ECONNREFUSED: 'connection refused',
  EADDRINUSE: 'address already used',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  EAFNOSUPPORT: 'address family not supported'
}

/** runit's text for an error: its errno code's wording, else "unknown error". */
export function reason (err: unknown): string {
  const code = errnoCode(err)
  return code === undefined ? 'unknown error' : REASONS[code] ?? 'unknown error'
}
