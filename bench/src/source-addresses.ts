/**
 * Loopback source addresses for scenarios that open thousands of sockets
 * (127.0.0.2 and up): a real fleet of clients comes from many addresses, and a
 * bound connect searches its address's ports, TIME_WAIT ones included. At
 * 5,000 per address the connects themselves were slow (a reconnect wave of
 * 18,000 sockets spent 27 s of the generator's event loop in connect(), 2.4 s
 * at 1,500), so at most this many per address.
 */
export const SOCKETS_PER_SOURCE_ADDRESS = 1000;

/** How many addresses `sockets` sockets need. */
export const sourceAddressCount = (sockets: number) => Math.ceil(sockets / SOCKETS_PER_SOURCE_ADDRESS);

/** The `n`th source address, from 0: 127.0.0.2, 127.0.0.3, ... */
export const sourceAddress = (n: number) => `127.0.0.${2 + n}`;
