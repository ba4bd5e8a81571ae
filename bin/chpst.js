#!/usr/bin/env node
import { runProgram } from '../build/cli/main.js'
import { chpst } from '../build/cli/chpst.js'
runProgram(chpst)
