/**
 * The Hrana-over-HTTP data API: routes, request parsing and response encoding, streams and their
 * signed batons, and authentication of the data API. Statements themselves run in {@code io.sluice.sql}.
 */
package io.sluice.gateway;
