package io.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code config:export}: the runtime settings plus the static settings operators ask about, as JSON,
 * YAML or properties. Secrets (database password, baton key, admin token, JWT keys, and any key that
 * looks like one) are always replaced by {@value #REDACTED}; a password inside a JDBC URL too.
 */
public final class SettingsExport {
    public static final String REDACTED = "**redacted**";
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|token|jwt|key).*");
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern URL_USERINFO = Pattern.compile("(//[^/:@]+:)[^@/]*@");

    public enum Format {
        JSON, YAML, PROPERTIES;

        public static Format of(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new SettingsException("format", "format must be json, yaml or properties but was '" + s + "'");
            }
        }
    }

    private SettingsExport() {
    }

    /** Sections {@code <component>} → key → value; static settings under {@code static}. */
    public static Map<String, Map<String, Object>> sections(RuntimeSettings s, SluiceConfig c, Map<String, String> extraStatic) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        s.toProperties().forEach((k, v) -> {
            int dot = k.indexOf('.');
            out.computeIfAbsent(k.substring(0, dot), x -> new LinkedHashMap<>()).put(k.substring(dot + 1), typed(v));
        });
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("database.url", c.database().url().map(SettingsExport::redactUrl).orElse(""));
        st.put("database.user", c.database().user().orElse(""));
        st.put("database.password", c.database().password().map(p -> REDACTED).orElse(""));
        st.put("gateway.batonKey", c.gateway().batonKey().filter(k -> !k.isEmpty()).map(p -> REDACTED).orElse(""));
        st.put("auth.mode", c.auth().mode().name().toLowerCase(Locale.ROOT));
        st.put("auth.jwtPublicKeys", c.auth().jwtPublicKeys().map(p -> REDACTED).orElse(""));
        extraStatic.forEach((k, v) -> st.put(k, SECRET_KEY.matcher(k).matches() && !v.isEmpty() ? REDACTED : v));
        out.put("static", st);
        return out;
    }

    public static String export(RuntimeSettings s, SluiceConfig c, Map<String, String> extraStatic, Format f) {
        Map<String, Map<String, Object>> sections = sections(s, c, extraStatic);
        return switch (f) {
            case JSON -> json(sections);
            case YAML -> yaml(sections);
            case PROPERTIES -> properties(sections);
        };
    }

    static String redactUrl(String url) {
        return URL_USERINFO.matcher(URL_PASSWORD.matcher(url).replaceAll("$1" + REDACTED)).replaceAll("$1" + REDACTED + "@");
    }

    private static Object typed(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e2) {
                return v;
            }
        }
    }

    private static String json(Map<String, Map<String, Object>> sections) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(sections) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String yaml(Map<String, Map<String, Object>> sections) {
        StringBuilder sb = new StringBuilder();
        sections.forEach((section, kv) -> {
            sb.append(section).append(":\n");
            kv.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(yamlScalar(v)).append('\n'));
        });
        return sb.toString();
    }

    private static String yamlScalar(Object v) {
        if (v instanceof Number) {
            return v.toString();
        }
        return "\"" + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** {@code sluice.runtime.<component>.<key>} for runtime settings (restorable), {@code sluice.<key>} for static ones. */
    private static String properties(Map<String, Map<String, Object>> sections) {
        StringBuilder sb = new StringBuilder();
        sections.forEach((section, kv) -> kv.forEach((k, v) -> {
            String name = section.equals("static") ? "sluice." + k : "sluice.runtime." + section + "." + k;
            sb.append(name).append('=').append(v.toString().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        }));
        return sb.toString();
    }
}
