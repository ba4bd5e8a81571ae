#!/usr/bin/env node
import { runProgram } from '../build/cli/main.js'
import { runsv } from '../build/cli/runsv.js'
runProgram(runsv)
