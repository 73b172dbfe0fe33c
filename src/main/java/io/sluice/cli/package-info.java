/**
 * The operator CLI (picocli), run from the same binary as the server. Commands here never boot Quarkus
 * and reach a running server only over HTTP; local utilities (key and token minting) need no server.
 */
package io.sluice.cli;
