package io.sluice.sql;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;

/**
 * Hrana values ↔ Java: {@code null}, {@link Long} (integer, sent as a decimal string), {@link Double}
 * (float, a JSON number), {@link String} (text) and {@code byte[]} (blob, base64).
 */
public final class ValueCodec {
    private ValueCodec() {
    }

    /** Decodes one Hrana value object; a malformed one is an {@link IllegalArgumentException} naming the problem. */
    public static Object decode(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a value must be a JSON object with a 'type'");
        }
        JsonNode typeNode = n.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new IllegalArgumentException("a value needs a string 'type'");
        }
        String type = typeNode.textValue();
        switch (type) {
            case "null":
                return null;
            case "integer": {
                JsonNode v = n.get("value");
                if (v != null && v.isTextual()) {
                    try {
                        return Long.parseLong(v.textValue().strip());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("integer value is not a 64-bit decimal integer");
                    }
                }
                if (v != null && v.isIntegralNumber() && v.canConvertToLong()) {
                    return v.longValue();
                }
                throw new IllegalArgumentException("integer value must be a string holding a 64-bit decimal integer");
            }
            case "float": {
                JsonNode v = n.get("value");
                if (v != null && v.isNumber()) {
                    double d = v.doubleValue();
                    if (Double.isInfinite(d)) {
                        throw new IllegalArgumentException("float value is out of range");
                    }
                    return d;
                }
                throw new IllegalArgumentException("float value must be a JSON number");
            }
            case "text": {
                JsonNode v = n.get("value");
                if (v != null && v.isTextual()) {
                    return v.textValue();
                }
                throw new IllegalArgumentException("text value must be a string");
            }
            case "blob": {
                JsonNode v = n.get("base64");
                if (v == null || !v.isTextual()) {
                    throw new IllegalArgumentException("blob value needs a string 'base64'");
                }
                return decodeBase64(v.textValue());
            }
            default:
                throw new IllegalArgumentException("unknown value type '" + (type.length() > 20 ? type.substring(0, 20) + "…" : type) + "'");
        }
    }

    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(text);
            } catch (IllegalArgumentException e2) {
                throw new IllegalArgumentException("blob value is not valid base64");
            }
        }
    }
}
