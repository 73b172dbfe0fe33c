package io.sluice.auth;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads and writes Ed25519 keys in the text forms operators paste into configuration: PEM, and
 * base64 or base64url of the raw 32-byte public key or of its DER SubjectPublicKeyInfo.
 *
 * <p>The message of every {@link IllegalArgumentException} thrown here is a predicate such as
 * {@code "is not an Ed25519 public key"}, for the caller to prefix with which key it was parsing; it
 * describes the expected format only and never contains key text.
 */
final class Ed25519Keys {

    static final String ALGORITHM = "Ed25519";

    static final int RAW_PUBLIC_KEY_LENGTH = 32;

    /**
     * DER SubjectPublicKeyInfo header for Ed25519 (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 },
     * BIT STRING of 32 bytes }. The raw key follows it.
     */
    private static final byte[] SPKI_PREFIX = {
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
    };

    /**
     * The y coordinates, little-endian as in the key encoding, of the eight Ed25519 points of small
     * order (1, 2, 4 and 8). With such a key, signatures that verify can be made without a private
     * key; the all-zero key, a likely placeholder, is one of them. The top bit of the last byte is the
     * sign of x and is masked off before comparing, which also covers the points' negatives.
     */
    private static final List<byte[]> SMALL_ORDER_Y = List.of(
            HexFormat.of().parseHex("0000000000000000000000000000000000000000000000000000000000000000"),
            HexFormat.of().parseHex("0100000000000000000000000000000000000000000000000000000000000000"),
            HexFormat.of().parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            HexFormat.of().parseHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
            HexFormat.of().parseHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"));

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** Base64 in either alphabet, at most two padding characters, nothing else. */
    private static final Pattern BASE64_TEXT = Pattern.compile("[A-Za-z0-9+/_-]+={0,2}");

    private Ed25519Keys() {
    }

    /**
     * Parses a public key from PEM ({@code -----BEGIN PUBLIC KEY-----}), or from base64/base64url,
     * padded or not, of the raw 32-byte key or its DER SubjectPublicKeyInfo.
     *
     * @throws IllegalArgumentException if the text is none of these or not an Ed25519 key
     */
    static PublicKey parsePublicKey(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        PublicKey key;
        if (trimmed.startsWith("-----")) {
            key = publicKeyFromSpki(pemBody(trimmed, "PUBLIC KEY"));
        } else {
            byte[] decoded = decodeBase64(trimmed);
            key = decoded.length == RAW_PUBLIC_KEY_LENGTH ? publicKeyFromRaw(decoded) : publicKeyFromSpki(decoded);
        }
        checkUsableForVerification(key);
        return key;
    }

    /**
     * Refuses keys that would fail or be unsafe only when the first token arrives: the JDK decodes
     * the curve point lazily, on {@code initVerify}, and accepts small-order points.
     */
    private static void checkUsableForVerification(PublicKey key) {
        byte[] y = rawPublicKey(key);
        y[RAW_PUBLIC_KEY_LENGTH - 1] &= 0x7f;
        for (byte[] smallOrder : SMALL_ORDER_Y) {
            if (Arrays.equals(y, smallOrder)) {
                throw new IllegalArgumentException(
                        "is a small-order Ed25519 point (for example all zeros), not a real public key");
            }
        }
        try {
            Signature.getInstance(ALGORITHM).initVerify(key);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides no Ed25519 Signature", e);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("is not a point on the Ed25519 curve");
        }
    }

    /**
     * Parses a PEM PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}), as written by {@link
     * #privateKeyPem}, OpenSSL or Node's {@code crypto}.
     *
     * @throws IllegalArgumentException if the text is not a PEM PKCS#8 Ed25519 private key
     */
    static PrivateKey parsePrivateKeyPem(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (!trimmed.startsWith("-----")) {
            throw new IllegalArgumentException("is not a PEM \"PRIVATE KEY\" block (PKCS#8)");
        }
        byte[] der = pemBody(trimmed, "PRIVATE KEY");
        try {
            return keyFactory().generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("is not a PKCS#8 Ed25519 private key");
        }
    }

    static PublicKey publicKeyFromRaw(byte[] raw) {
        byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + raw.length);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, raw.length);
        return publicKeyFromSpki(spki);
    }

    /** Returns the raw 32-byte form of an Ed25519 public key, the form sqld and Turso print. */
    static byte[] rawPublicKey(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (spki.length != SPKI_PREFIX.length + RAW_PUBLIC_KEY_LENGTH
                || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("is not an Ed25519 public key");
        }
        return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
    }

    static String publicKeyPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    static String privateKeyPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    static KeyFactory keyFactory() {
        try {
            return KeyFactory.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides no Ed25519 KeyFactory", e);
        }
    }

    private static PublicKey publicKeyFromSpki(byte[] spki) {
        try {
            return keyFactory().generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "is not an Ed25519 public key (expected PEM, or base64url of the raw 32-byte key"
                            + " or of its DER SubjectPublicKeyInfo)");
        }
    }

    /**
     * Returns the decoded body of a single PEM block with the given label. Line breaks written as
     * the two characters {@code \n}, as they arrive from some environment files and Helm values,
     * are accepted like real ones; base64 never contains a backslash, so this cannot change a key.
     */
    private static byte[] pemBody(String text, String label) {
        String pem = text.replace("\\n", "\n").replace("\\r", "").strip();
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        if (!pem.startsWith(begin) || !pem.endsWith(end) || pem.length() < begin.length() + end.length()) {
            throw new IllegalArgumentException("is not a single PEM \"" + label + "\" block");
        }
        String body = WHITESPACE.matcher(pem.substring(begin.length(), pem.length() - end.length())).replaceAll("");
        if (body.isEmpty()) {
            throw new IllegalArgumentException("has an empty PEM \"" + label + "\" block");
        }
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has a PEM \"" + label + "\" block that is not valid base64");
        }
    }

    private static byte[] decodeBase64(String text) {
        String compact = WHITESPACE.matcher(text).replaceAll("");
        if (!BASE64_TEXT.matcher(compact).matches()) {
            throw new IllegalArgumentException("is neither PEM nor base64/base64url");
        }
        String urlAlphabet = compact.replace('+', '-').replace('/', '_').replace("=", "");
        try {
            return Base64.getUrlDecoder().decode(urlAlphabet);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is neither PEM nor base64/base64url");
        }
    }

    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }
}
