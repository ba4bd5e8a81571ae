#!/usr/bin/env node
require('node:module').enableCompileCache?.() // V8's code cache for the bundle (Node >= 22.1)
require('../build/bin/runsv.cjs').run()
