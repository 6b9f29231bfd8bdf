#!/usr/bin/env node
require('../register.js');
require('./main.ts');
