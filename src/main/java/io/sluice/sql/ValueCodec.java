package io.sluice.sql;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Base64;

/**
 * Hrana values ↔ Java: {@code null}, {@link Long} (integer, sent as a decimal string), {@link Double}
 * (float, a JSON number), {@link String} (text) and {@code byte[]} (blob, base64).
 */
public final class ValueCodec {
    /* The names and type tags of encoded values, pre-quoted once. */
    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString VALUE = new SerializedString("value");
    private static final SerializedString BASE64 = new SerializedString("base64");
    private static final SerializedString TYPE_BLOB = new SerializedString("blob");
    private static final SerializedString TYPE_FLOAT = new SerializedString("float");
    private static final SerializedString TYPE_INTEGER = new SerializedString("integer");
    private static final SerializedString TYPE_NULL = new SerializedString("null");
    private static final SerializedString TYPE_TEXT = new SerializedString("text");

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

    /** Writes one value object. */
    public static void encode(JsonGenerator g, Object v) throws IOException {
        g.writeStartObject();
        if (v == null) {
            typed(g, TYPE_NULL);
        } else if (v instanceof Long l) {
            typed(g, TYPE_INTEGER);
            value(g, VALUE, Long.toString(l));
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                // JSON has no NaN or infinity; SQLite turns NaN into NULL itself, infinities are rare
                typed(g, TYPE_NULL);
            } else {
                typed(g, TYPE_FLOAT);
                g.writeFieldName(VALUE);
                g.writeNumber(d);
            }
        } else if (v instanceof String s) {
            typed(g, TYPE_TEXT);
            value(g, VALUE, s);
        } else if (v instanceof byte[] b) {
            typed(g, TYPE_BLOB);
            g.writeFieldName(BASE64);
            // straight into the generator's output: no base64 byte[] and String copies of a large blob
            g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b, 0, b.length);
        } else {
            throw new IllegalArgumentException("not a Hrana value: " + v.getClass().getName());
        }
        g.writeEndObject();
    }

    private static void typed(JsonGenerator g, SerializedString type) throws IOException {
        g.writeFieldName(TYPE);
        g.writeString(type);
    }

    private static void value(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value);
    }
}
