#!/usr/bin/env node
import { runProgram } from '../build/cli/main.js'
import { sv } from '../build/cli/sv.js'
runProgram(sv)
