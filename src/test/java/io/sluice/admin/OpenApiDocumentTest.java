package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.openapi.api.SmallRyeOpenAPI;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.jboss.jandex.MethodInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document {@link OpenApiRoute} serves is generated from the admin resources' annotations by
 * SmallRye OpenAPI's scanner (what Quarkus' OpenAPI extension runs at build time) and kept in
 * {@code src/main/resources/META-INF/sluice/}. Run with {@code -Dopenapi.regenerate=true} to rewrite it after
 * changing the admin API.
 */
class OpenApiDocumentTest {
    static final String TITLE = "Sluice admin API";
    private static final Path CLASSES = Path.of("target", "classes");
    private static final Path RESOURCES = Path.of("src", "main", "resources");
    private static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    private static final DotName PATH = DotName.createSimple("jakarta.ws.rs.Path");

    private static Index index;
    private static SmallRyeOpenAPI generated;

    @BeforeAll
    static void scan() throws IOException {
        Indexer indexer = new Indexer();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    indexer.index(in);
                }
            }
        }
        index = indexer.complete();
        // Quarkus REST's defaults, as the extension configures the scanner: JSON in and out, unannotated path
        // parameters, and a summary and a tag for each operation from its method's and class's names
        generated = SmallRyeOpenAPI.builder()
                .withConfig(new SmallRyeConfigBuilder()
                        .withDefaultValue("mp.openapi.extensions.smallrye.info.title", TITLE)
                        .withDefaultValue("mp.openapi.extensions.smallrye.defaultProduces", "application/json")
                        .withDefaultValue("mp.openapi.extensions.smallrye.defaultConsumes", "application/json")
                        .build())
                .withIndex(index)
                .withApplicationClassLoader(OpenApiDocumentTest.class.getClassLoader())
                .enableModelReader(false)
                .enableStandardStaticFiles(false)
                .enableUnannotatedPathParameters(true)
                .withOperationHandler((operation, resource, method) -> {
                    if (operation.getSummary() == null) {
                        operation.setSummary(words(method.name()));
                    }
                    if (operation.getTags() == null || operation.getTags().isEmpty()) {
                        operation.addTag(words(resource.simpleName()));
                    }
                })
                .build();
    }

    /** {@code resizePool} as {@code Resize pool}, {@code ConnectionsResource} as {@code Connections Resource}. */
    private static String words(String camel) {
        String spaced = camel.replaceAll("(?<=[a-z0-9])(?=[A-Z])", " ");
        return Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
    }

    @Test
    void shouldServeTheDocumentGeneratedFromTheAdminResources() throws IOException {
        check(OpenApiRoute.JSON_RESOURCE, generated.toJSON(), new ObjectMapper());
        check(OpenApiRoute.YAML_RESOURCE, generated.toYAML(), new ObjectMapper(new YAMLFactory()));
    }

    @Test
    void shouldDescribeEveryOperationOfTheAdminApi() throws IOException {
        JsonNode paths = new ObjectMapper().readTree(OpenApiRoute.load(OpenApiRoute.JSON_RESOURCE)).path("paths");
        List<String> operations = new ArrayList<>();
        for (AnnotationInstance path : index.getAnnotations(PATH)) {
            if (path.target().kind() != AnnotationTarget.Kind.CLASS) {
                continue;
            }
            ClassInfo resource = path.target().asClass();
            for (MethodInfo method : resource.methods()) {
                method.annotations().stream().map(a -> a.name().local()).filter(HTTP_METHODS::contains).forEach(verb -> {
                    AnnotationInstance sub = method.annotation(PATH);
                    String full = join(path.value().asString(), sub == null ? "" : sub.value().asString());
                    operations.add(verb.toLowerCase(Locale.ROOT) + " " + full);
                });
            }
        }
        assertThat(operations).as("admin operations found").hasSizeGreaterThan(20)
                .allSatisfy(op -> assertThat(paths.path(op.substring(op.indexOf(' ') + 1)).has(op.substring(0, op.indexOf(' '))))
                        .as("%s in the OpenAPI document", op).isTrue());
        assertThat(operations).anyMatch(op -> op.startsWith("post /admin/v1/breaker/"));
    }

    /** {@code /a/{name: regex}} + {@code b} as OpenAPI writes it: {@code /a/{name}/b}. */
    private static String join(String classPath, String methodPath) {
        String p = ("/" + classPath + "/" + methodPath).replaceAll("/+", "/").replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static void check(String resource, String expected, ObjectMapper parser) throws IOException {
        Path file = RESOURCES.resolve(resource);
        if (Boolean.getBoolean("openapi.regenerate")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, expected);
        }
        assertThat(Files.exists(file)).as(file + " is missing; rerun with -Dopenapi.regenerate=true").isTrue();
        assertThat(parser.readTree(file.toFile())).as(file + " is out of date with the admin resources; rerun with -Dopenapi.regenerate=true")
                .isEqualTo(parser.readTree(expected));
    }
}
