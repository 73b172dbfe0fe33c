package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every view of a setting agrees with its one declaration ({@link Setting}): the runtime snapshot, the
 * configuration mapping's defaults, the seed aliases in {@code application.properties}, the export, the
 * reference table in {@code docs/configuration.md} and the Helm chart's schema and defaults. Run with
 * {@code -Dsettings.regenerate-docs=true} to rewrite the docs table from the declaration.
 */
class SettingsDeclarationTest {
    static final Path DOC = Path.of("docs", "configuration.md");
    static final String BEGIN = "<!-- settings-table:begin (generated from io.sluice.config.Setting by SettingsDeclarationTest;"
            + " rewrite with ./mvnw test -Dtest=SettingsDeclarationTest -Dsettings.regenerate-docs=true) -->";
    static final String END = "<!-- settings-table:end -->";
    private static final Path CHART = Path.of("helm", "sluice");

    @Test
    void shouldHaveOneFieldInTheRuntimeSnapshotForEveryLiveSettingInDeclarationOrder() {
        RuntimeSettings seed = RuntimeSettings.from(RuntimeSettingsTest.config());
        assertThat(seed.toProperties().keySet()).containsExactlyElementsOf(Setting.LIVE.stream().map(Setting::key).toList());
        assertThat(Setting.LIVE).extracting(Setting::component).containsSubsequence(RuntimeSettings.COMPONENTS);
        assertThat(Setting.ALL).extracting(Setting::key).doesNotHaveDuplicates();
        assertThat(Setting.ALL).extracting(Setting::property).doesNotHaveDuplicates().allMatch(p -> p.startsWith("sluice."));
    }

    @Test
    void shouldDeclareTheDefaultsTheConfigurationMappingHas() {
        SluiceConfig defaults = RuntimeSettingsTest.config();
        for (Setting<?> s : Setting.ALL) {
            Object declared = s.type() == Setting.Type.TEXT ? s.defaultValue() : s.parse(s.defaultValue());
            assertThat(s.startupValue(defaults)).as(s.key()).isEqualTo(declared);
        }
    }

    @Test
    void shouldKeepTheSeedAliasesOfApplicationPropertiesAtTheDeclaredDefault() throws IOException {
        Properties props = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            props.load(in);
        }
        Pattern alias = Pattern.compile("\\$\\{([A-Z_]+):([^}]*)}(ms)?");
        for (Setting<?> s : Setting.ALL) {
            String raw = props.getProperty(s.property());
            if (s.envAliases().isEmpty()) {
                continue;
            }
            assertThat(raw).as(s.property() + " maps its aliases in application.properties").isNotNull();
            Matcher m = alias.matcher(raw);
            assertThat(m.matches()).as(raw).isTrue();
            assertThat(s.envAliases()).as(s.property()).contains(m.group(1));
            if (s.type() == Setting.Type.TEXT) {
                assertThat(m.group(2)).isEqualTo(s.defaultValue());
            } else {
                String value = m.group(2) + (m.group(3) == null ? "" : m.group(3));
                assertThat(s.parse(value)).as(s.property()).isEqualTo(s.parse(s.defaultValue()));
            }
        }
    }

    @Test
    void shouldExportEveryDeclaredSettingAndRedactEverySecret() {
        String[] kv = Setting.ALL.stream().filter(Setting::secret).flatMap(s -> java.util.stream.Stream.of(s.property(), "secret-" + s.key()))
                .toArray(String[]::new);
        SluiceConfig c = RuntimeSettingsTest.config(kv);
        Map<String, Map<String, Object>> sections = SettingsExport.sections(RuntimeSettings.from(c), c, Map.of());

        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (Setting<?> s : Setting.ALL) {
            String name = s.live() ? s.key().substring(s.key().indexOf('.') + 1) : s.key();
            expected.computeIfAbsent(s.component(), x -> new ArrayList<>()).add(name);
        }
        assertThat(sections.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((section, keys) -> assertThat(sections.get(section).keySet()).as(section).containsExactlyElementsOf(keys));
        for (Setting<?> s : Setting.ALL) {
            if (s.secret()) {
                assertThat(sections.get("static").get(s.key())).as(s.key()).isEqualTo(SettingsExport.REDACTED);
            }
        }
        for (SettingsExport.Format f : SettingsExport.Format.values()) {
            assertThat(SettingsExport.export(RuntimeSettings.from(c), c, Map.of(), f)).as(f.name()).doesNotContain("secret-");
        }
    }

    @Test
    void shouldDocumentEverySettingAsDeclared() throws IOException {
        String doc = Files.readString(DOC);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin).as(DOC + " has the marker " + BEGIN).isNotNegative();
        assertThat(end).as(DOC + " has the marker " + END).isGreaterThan(begin);
        String expected = table();
        String actual = doc.substring(begin + BEGIN.length(), end);
        if (Boolean.getBoolean("settings.regenerate-docs") && !actual.equals(expected)) {
            Files.writeString(DOC, doc.substring(0, begin + BEGIN.length()) + expected + doc.substring(end));
            actual = expected;
        }
        assertThat(actual).as(DOC + " is out of date with io.sluice.config.Setting; rerun with -Dsettings.regenerate-docs=true")
                .isEqualTo(expected);
    }

    @Test
    void shouldGiveTheHelmChartTheDeclaredBoundsAndDefaults() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(CHART.resolve("values.schema.json").toFile());
        JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(CHART.resolve("values.yaml").toFile());
        List<String> checked = new ArrayList<>();
        for (Setting<?> s : Setting.ALL) {
            if (s.helmValue().isEmpty()) {
                continue;
            }
            String[] path = s.helmValue().get().split("\\.");
            JsonNode node = schema;
            JsonNode value = values;
            for (String p : path) {
                node = node.path("properties").path(p);
                value = value.path(p);
            }
            String at = "values.schema.json " + s.helmValue().get() + " (" + s.key() + ")";
            assertThat(node.path("type").asText()).as(at).isEqualTo("integer");
            assertThat(node.path("minimum").isNumber()).as(at + " minimum").isTrue();
            assertThat(node.path("maximum").isNumber()).as(at + " maximum").isTrue();
            assertThat(node.path("minimum").asLong()).as(at + " minimum").isEqualTo(s.min());
            assertThat(node.path("maximum").asLong()).as(at + " maximum").isEqualTo(s.max());
            Object declared = s.parse(s.defaultValue());
            long expectedDefault = declared instanceof Duration d ? d.toMillis() : ((Number) declared).longValue();
            assertThat(value.asLong()).as("values.yaml " + s.helmValue().get()).isEqualTo(expectedDefault);
            checked.add(s.key());
        }
        assertThat(checked).contains("connectionPool.maxConnections", "circuitBreaker.recoveryTimeout");
    }

    /** The reference table, one row per declared setting. */
    static String table() {
        StringBuilder sb = new StringBuilder("\n| setting | property | environment | default | accepted | live | meaning |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Setting<?> s : Setting.ALL) {
            String env = "`" + s.env() + "`" + s.envAliases().stream().map(a -> ", `" + a + "`" + aliasUnit(s)).collect(Collectors.joining());
            String dflt = s.defaultValue().isEmpty() ? "—" : "`" + s.defaultValue() + "`";
            String accepted = switch (s.type()) {
                case INTEGER -> s.bound(s.min()) + " – " + s.bound(s.max()) + (s.unit() == null ? "" : " " + s.unit());
                case DURATION, MILLIS -> s.bound(s.min()) + " – " + s.bound(s.max());
                case FRACTION -> "0 – 1";
                case TEXT -> s.secret() ? "text, secret (redacted in exports)" : "text";
            };
            sb.append("| ").append(s.live() ? "`" + s.key() + "`" : "").append(" | `").append(s.property()).append("` | ").append(env)
                    .append(" | ").append(dflt).append(" | ").append(accepted).append(" | ").append(s.live() ? "yes" : "no")
                    .append(" | ").append(s.description()).append(" |\n");
        }
        return sb.toString();
    }

    private static String aliasUnit(Setting<?> s) {
        return s.type() == Setting.Type.DURATION || s.type() == Setting.Type.MILLIS ? " (ms)" : "";
    }
}
