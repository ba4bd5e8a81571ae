#!/bin/sh
':' //; while read -r a b c n h; do [ "$a $b $c" = 'Max open files' ] && break; n=; done </proc/self/limits; while read -r k v; do [ "$k" = SigIgn: ] && break; v=; done </proc/self/status; RUNIT_TS_STARTED_WITH="$n $v" exec node "$0" "$@"
// The line above is sh's (Node skips it): it notes the open-files soft limit and the ignored
// signals, which Node changes as it starts, for the programs this one starts (lib/os/inherit.ts).
// It forks nothing: the process stays alone until it is Node (tests watch runsvdir's children).
require('node:module').enableCompileCache?.() // V8's code cache for the bundle (Node >= 22.1)
require('../build/bin/svhttpd.cjs').run()
