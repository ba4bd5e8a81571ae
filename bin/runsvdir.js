#!/usr/bin/env node
import { runProgram } from '../build/cli/main.js'
import { runsvdir } from '../build/cli/runsvdir.js'
runProgram(runsvdir)
