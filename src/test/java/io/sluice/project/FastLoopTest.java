package io.sluice.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the fast loop ({@code ./mvnw -Pfast test}, the classes listed in {@code src/test/fast-tests.txt})
 * fast and honest: every entry is a test class that exists and boots no Quarkus application.
 */
class FastLoopTest {
    private static final Path LIST = Path.of("src/test/fast-tests.txt");
    private static final Path TESTS = Path.of("src/test/java");

    static List<String> entries() throws IOException {
        return Files.readAllLines(LIST).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }

    @Test
    void shouldListOnlyExistingTestClasses() throws IOException {
        List<String> entries = entries();

        assertThat(entries).isNotEmpty().doesNotHaveDuplicates();
        assertThat(entries).allSatisfy(entry -> {
            assertThat(entry).endsWith("Test.java");
            assertThat(TESTS.resolve(entry)).as("fast-tests.txt names %s", entry).isRegularFile();
        });
    }

    @Test
    void shouldListNoTestThatBootsQuarkus() throws Exception {
        for (String entry : entries()) {
            String name = entry.substring(0, entry.length() - ".java".length()).replace('/', '.');
            for (Class<?> c = Class.forName(name); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Annotation a : c.getAnnotations()) {
                    assertThat(a.annotationType().getName())
                            .as("%s is in the fast loop, which must not boot Quarkus", entry)
                            .doesNotStartWith("io.quarkus.test");
                }
            }
        }
    }

    @Test
    void shouldCoverTheProtocolCore() throws IOException {
        assertThat(entries()).contains(
                "io/sluice/gateway/RequestParserTest.java",
                "io/sluice/gateway/HranaJsonWriterTest.java");
    }
}
