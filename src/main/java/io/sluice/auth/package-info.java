/**
 * Bearer-token authentication, shared by the Hrana data API, the admin API and the CLI: verifies
 * libSQL/Turso-style EdDSA (Ed25519) JWTs against the configured public keys and turns their claims
 * into a {@link io.sluice.auth.Principal}. {@link io.sluice.auth.TokenMinter} creates keys and tokens
 * of the same shape for local use by the CLI. It depends on no other feature.
 *
 * <p>The JWS itself (compact serialization, header, Ed25519 signature, claims JSON) is jose4j's. Two
 * things stay hand-written: {@code Ed25519Keys}, because operators paste keys as base64url of the raw
 * 32 bytes (what sqld and Turso print), which no JOSE library reads, and because the JDK accepts
 * small-order points that must be refused at start-up; and the checks jose4j is lenient about (strict
 * base64url segments, {@code crit} and {@code b64} refused) plus the libSQL claims, which are ours.
 */
package io.sluice.auth;
