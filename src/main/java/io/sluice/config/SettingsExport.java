package io.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code config:export}: the runtime settings plus the declared static settings ({@link Setting}), as
 * JSON, YAML (both through Jackson) or properties. Settings declared secret (database password, baton
 * key, admin token, JWT keys), and any extra key that looks like one, are always replaced by
 * {@value #REDACTED}; a password inside a JDBC URL too.
 */
public final class SettingsExport {
    public static final String REDACTED = "**redacted**";
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|token|jwt|key).*");
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern URL_USERINFO = Pattern.compile("(//[^/:@]+:)[^@/]*@");
    /** Block style, no document marker, strings quoted only where YAML needs it. */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build());

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

    /**
     * Sections {@code <component>} → key → value for every live {@link Setting}; the declared static ones
     * under {@code static}, secrets as {@value #REDACTED} when set.
     */
    public static Map<String, Map<String, Object>> sections(RuntimeSettings s, SluiceConfig c, Map<String, String> extraStatic) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        s.toProperties().forEach((k, v) -> {
            int dot = k.indexOf('.');
            out.computeIfAbsent(k.substring(0, dot), x -> new LinkedHashMap<>()).put(k.substring(dot + 1), typed(v));
        });
        Map<String, Object> st = new LinkedHashMap<>();
        for (Setting<?> setting : Setting.ALL) {
            if (setting.live()) {
                continue;
            }
            String value = String.valueOf(setting.startupValue(c));
            if (setting.secret()) {
                value = value.isEmpty() ? "" : REDACTED;
            } else if (setting == Setting.DATABASE_URL) {
                value = redactUrl(value);
            }
            st.put(setting.key(), value);
        }
        extraStatic.forEach((k, v) -> st.put(k, SECRET_KEY.matcher(k).matches() && !v.isEmpty() ? REDACTED : v));
        out.put("static", st);
        return out;
    }

    public static String export(RuntimeSettings s, SluiceConfig c, Map<String, String> extraStatic, Format f) {
        Map<String, Map<String, Object>> sections = sections(s, c, extraStatic);
        return switch (f) {
            case JSON -> write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT), sections) + "\n";
            case YAML -> write(YAML, sections);
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

    private static String write(ObjectMapper mapper, Map<String, Map<String, Object>> sections) {
        try {
            return mapper.writeValueAsString(sections);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
