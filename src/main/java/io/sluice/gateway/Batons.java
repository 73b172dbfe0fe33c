package io.sluice.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, single-use stream batons. A baton is base64url of
 * {@code version(1) | streamId(8) | sequence(8) | ownerUrl(utf-8)} followed by the first 16 bytes of
 * HMAC-SHA256 over those bytes and the 32-byte {@link #binding binding} of the principal that opened
 * the stream. The owner is the advertised URL of the replica that holds the stream.
 *
 * <p>The binding is signed but not sent: a baton verifies only for the principal it was issued to, so
 * another principal holding it gets "Invalid baton", exactly as for a forged one, on every replica
 * (each authenticates the request itself and verifies with the requester's binding, before forwarding).
 */
final class Batons {
    /** 2: the MAC covers the principal's binding (version 1 batons, which did not, are refused). */
    private static final byte VERSION = 2;
    private static final int BINDING_BYTES = 32;
    private static final int MAC_BYTES = 16;
    private static final int HEADER = 17;
    private static final int MAX_BATON_CHARS = 2048;

    private final SecretKeySpec key;
    private final byte[] owner;
    private final ThreadLocal<Mac> macs;

    record Decoded(long streamId, long sequence, String owner) {
    }

    /** @param secret the shared key; null or blank means a random key for this process only */
    Batons(String secret, String ownerUrl) {
        byte[] k;
        if (secret == null || secret.isBlank()) {
            k = new byte[32];
            new SecureRandom().nextBytes(k);
        } else {
            k = secret.getBytes(StandardCharsets.UTF_8);
        }
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.owner = ownerUrl == null ? new byte[0] : ownerUrl.getBytes(StandardCharsets.UTF_8);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * The binding of a principal identity ({@link io.sluice.auth.Principal#identity()}): its
     * SHA-256, or zeros for the anonymous principal of {@code auth.mode=none}. Fixed length, so the
     * signed bytes cannot be re-split between owner and identity.
     */
    static byte[] binding(String identity) {
        if (identity == null) {
            return new byte[BINDING_BYTES];
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** @param binding {@link #binding} of the principal the stream belongs to */
    String issue(long streamId, long sequence, byte[] binding) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER + owner.length + MAC_BYTES);
        buf.put(VERSION).putLong(streamId).putLong(sequence).put(owner);
        byte[] mac = sign(buf.array(), HEADER + owner.length, binding);
        buf.put(mac, 0, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
    }

    /**
     * Verifies and decodes a baton; a forged, truncated or foreign-key baton, or one issued to another
     * principal, is a 400.
     *
     * @param binding {@link #binding} of the principal presenting the baton
     */
    Decoded verify(String baton, byte[] binding) {
        if (baton.length() > MAX_BATON_CHARS) {
            throw invalid();
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(baton);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (raw.length < HEADER + MAC_BYTES || raw[0] != VERSION) {
            throw invalid();
        }
        int bodyLength = raw.length - MAC_BYTES;
        byte[] expected = sign(raw, bodyLength, binding);
        if (!MessageDigest.isEqual(Arrays.copyOf(expected, MAC_BYTES), Arrays.copyOfRange(raw, bodyLength, raw.length))) {
            throw invalid();
        }
        ByteBuffer buf = ByteBuffer.wrap(raw, 1, bodyLength - 1);
        long id = buf.getLong();
        long seq = buf.getLong();
        String ownerUrl = new String(raw, HEADER, bodyLength - HEADER, StandardCharsets.UTF_8);
        return new Decoded(id, seq, ownerUrl);
    }

    boolean isOwnedHere(Decoded d) {
        return Arrays.equals(d.owner().getBytes(StandardCharsets.UTF_8), owner);
    }

    private byte[] sign(byte[] data, int length, byte[] binding) {
        if (binding.length != BINDING_BYTES) {
            throw new IllegalArgumentException("a principal binding has " + BINDING_BYTES + " bytes");
        }
        Mac mac = macs.get();
        mac.update(data, 0, length);
        mac.update(binding);
        return mac.doFinal();
    }

    private static ProtocolException invalid() {
        return ProtocolException.badRequest("Invalid baton");
    }
}
