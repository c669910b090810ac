import { z } from 'zod';

// Runs in the browser before any page module. Zod probes `new Function` once to decide whether
// to compile its object parsers; the page CSP forbids eval, and the browser reports even that
// caught probe as a violation. Without the JIT, parsing in the browser is a little slower and
// silent. The server keeps the JIT (this file is not loaded there).
z.config({ jitless: true });
