// File and directory names of runit's service-directory contract (runsv(8)).
// Every other module builds paths from these; nobody spells "supervise/ok" by hand.

export const SUPERVISE = 'supervise'
export const CONTROL = 'control'
export const OK = 'ok'
export const LOCK = 'lock'
export const STATUS = 'status'
export const STAT = 'stat'
export const PID = 'pid'
export const RUN = 'run'
export const FINISH = 'finish'
export const DOWN = 'down'
export const CHECK = 'check'
export const LOG = 'log'
/** Optional stop policy files (s6's names): the signal d and x send instead of TERM, the ms
 * after which a run that has not died gets KILL, and the ms after which ./finish does. */
export const DOWN_SIGNAL = 'down-signal'
export const TIMEOUT_KILL = 'timeout-kill'
export const TIMEOUT_FINISH = 'timeout-finish'
/** Optional kill mode (systemd's KillMode= words: mixed, control-group, process): which of the
 * service's processes a stop reaches (runsv(8), KILL MODES; not runit's). */
export const KILL_MODE = 'kill-mode'
/** Optional restart policy (runsv(8), RESTART POLICY; not runit's): the longest pause of the
 * doubling backoff in seconds, Upstart's `respawn limit COUNT INTERVAL [retry=SECONDS]`, its
 * `normal exit` codes and signals, and s6's bound on supervise/deaths. */
export const RESTART_BACKOFF = 'restart-backoff'
export const RESPAWN_LIMIT = 'respawn-limit'
export const NORMAL_EXIT = 'normal-exit'
export const MAX_DEATH_TALLY = 'max-death-tally'
/** Optional: ./run starts a daemon and exits 0; the file names the daemon's pid file (or is empty:
 * the one process left in the service's cgroup), and runsv follows the daemon (runsv(8), FORKING
 * DAEMONS; systemd's PIDFile=, not runit's). */
export const PIDFILE = 'pidfile'
/** Optional readiness (s6's notification-fd): the descriptor ./run writes a newline to when ready. */
export const NOTIFICATION_FD = 'notification-fd'
/** supervise/ready: the pid of the run that said it is ready (not runit's; its sv ignores it). */
export const READY = 'ready'
/** supervise/reason: why the service is down with want down, when the restart policy decided it;
 * supervise/deaths: the record of the last runs' ends (neither is runit's; its sv ignores them). */
export const REASON = 'reason'
export const DEATHS = 'deaths'
/** supervise/cgroup: which runsv keeps the service and where its processes are (its cgroup, or
 * its session without one), for sv ps and sv -a (not runit's; its sv ignores it). */
export const CGROUP = 'cgroup'
/** Directory of control/<letter> override scripts. */
export const CONTROL_DIR = 'control'
/** Suffix of the write-then-rename temporaries (runit's status.new, stat.new, pid.new). */
export const NEW_SUFFIX = '.new'
/** supervise/event/: s6's fifodir, one FIFO per listener, a line per transition (runsv(8), EVENTS). */
export const EVENT_DIR = 'event'
/** Optional start order (s6-rc's name): one line per service this one needs (runsv(8), DEPENDENCIES). */
export const DEPENDENCIES = 'dependencies'
/** supervise/wait: what a service wanted up waits for before ./run (dependencies; not runit's). */
export const WAIT = 'wait'
/** A service of `runit --container` whose failure ends the container (not runit's; runit(8)). */
export const CRITICAL = 'critical'
