/**
 * Bearer-token authentication, shared by the Hrana data API, the admin API and the CLI: verifies
 * libSQL/Turso-style EdDSA (Ed25519) JWTs against the configured public keys and turns their claims
 * into a {@link io.sluice.auth.Principal}. {@link io.sluice.auth.TokenMinter} creates keys and tokens
 * of the same shape for local use by the CLI. It depends on no other feature.
 */
package io.sluice.auth;
