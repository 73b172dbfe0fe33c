/**
 * Bearer-token authentication for the Hrana endpoints: verifies libSQL/Turso-style EdDSA (Ed25519)
 * JWTs against the configured public keys and turns their claims into a {@link
 * io.sluice.gateway.auth.Principal}. {@link io.sluice.gateway.auth.TokenMinter} creates keys and
 * tokens of the same shape for local use by the CLI.
 */
package io.sluice.gateway.auth;
