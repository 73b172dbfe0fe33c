package io.sluice.auth;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * The compact JWS encoding shared by {@link JwtVerifier} and {@link TokenMinter}: unpadded base64url
 * segments of JSON objects, and the one algorithm both support.
 */
final class Jose {

    static final String ALG_EDDSA = "EdDSA";

    static final int ED25519_SIGNATURE_LENGTH = 64;

    /**
     * A private, strict mapper: duplicate member names are refused so that no two readers of the
     * same token can disagree about a claim, and trailing content after the object is refused.
     * Configured once and never changed, so it is safe to share between threads.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Jose() {
    }

    static ObjectMapper json() {
        return JSON;
    }

    static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /** Decodes one base64url segment; returns {@code null} when it is not valid base64url. */
    static byte[] decode(String segment) {
        try {
            return DECODER.decode(segment);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Parses a JSON object; returns {@code null} for anything else, invalid JSON included. */
    static JsonNode parseObject(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
