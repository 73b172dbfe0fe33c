/**
 * The WebSocket transport of Hrana: the Vert.x glue that upgrades HTTP connections on the data port,
 * joins frames into bounded messages, keeps connections alive with pings, applies back-pressure, and
 * closes connections at the graceful drain. The protocol itself (hello, streams, requests, cursors) is
 * the transport-neutral {@link io.sluice.gateway.SocketSession}.
 */
package io.sluice.gateway.ws;
