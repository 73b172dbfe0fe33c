/**
 * Recent log records kept in memory for {@code debug:logs}: a bounded ring filled by a handler on the root
 * logger, with secrets scrubbed on the way in. The JSON console format itself is Quarkus configuration.
 */
package io.sluice.logs;
