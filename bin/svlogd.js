#!/usr/bin/env node
import { runProgram } from '../build/cli/main.js'
import { svlogd } from '../build/cli/svlogd.js'
runProgram(svlogd)
