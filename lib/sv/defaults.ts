// sv's defaults for the programs built on sv's library (svhttpd, the API). cli/sv.ts still keeps
// its own copies (its start-up takes no new static import); test/api/api.ts checks they agree.

/** Debian's runit default ($SVDIR unset); upstream uses /service/. */
export const DEFAULT_SVDIR = '/etc/service'
/** Seconds to wait ($SVWAIT unset, no -w). */
export const DEFAULT_WAIT = 7
