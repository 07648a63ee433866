import { config } from 'zod';

/*
 * The server's Content-Security-Policy allows no eval. zod decides whether to compile its object
 * parsers with `new Function` when each schema is built, which is while @chat/protocol loads, so
 * this is imported first: otherwise every load would try it, be refused (a CSP violation report)
 * and fall back to the interpreted parsers that this asks for outright.
 */
config({ jitless: true });
