package io.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketsTest {
    private static final Path FIXTURE = Path.of("/work/shared/fixtures/unleash-buckets.csv");

    record Row(String flag, String key, int bucket) {
    }

    @Test
    void shouldReproduceEveryUnleashReferenceBucket() throws IOException {
        List<Row> rows = fixtureRows();
        assertThat(rows).hasSizeGreaterThan(200);
        assertThat(rows).anyMatch(r -> r.key().isEmpty()).anyMatch(r -> r.key().contains(" "));
        List<String> mismatches = new ArrayList<>();
        for (Row r : rows) {
            int got = Buckets.bucket(r.flag(), r.key());
            if (got != r.bucket()) {
                mismatches.add(r + " got " + got);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void shouldHashKnownMurmur3Vectors() {
        // published murmur3_x86_32 vectors
        assertThat(Murmur3.hash32(new byte[0], 0)).isEqualTo(0);
        assertThat(Murmur3.hash32(new byte[0], 1)).isEqualTo(0x514E28B7);
        assertThat(Murmur3.hash32("Hello, world!".getBytes(StandardCharsets.UTF_8), 1234)).isEqualTo(0xfaf6cdb3);
        assertThat(Murmur3.hash32("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8), 0x9747b28c))
                .isEqualTo(0x2FA826CD);
    }

    @Test
    void shouldHashPrefixPlusKeyExactlyAsTheConcatenation() {
        String[] flags = {"", "A", "AB", "ABC", "ABCD", "ENABLE_CONNECTION_POOL:"};
        String[] keys = {"", "x", "xy", "xyz", "wxyz", "user-12345", "ünïcode-ключ"};
        for (String f : flags) {
            for (String k : keys) {
                assertThat(Murmur3.hash32(Murmur3.prefix(f, 0), k))
                        .as("%s + %s", f, k)
                        .isEqualTo(Murmur3.hash32((f + k).getBytes(StandardCharsets.UTF_8), 0));
            }
        }
    }

    @Test
    void shouldHashThreePrefixesAtOnceExactlyAsOneByOne() {
        // prefixes leaving 0, 1, 2 and 3 bytes of an unfinished block, keys of every length from 4 to 40 bytes
        String[] prefixes = {"ABCD:", "ENABLE_STATE_MACHINE:", "AB:", "ENABLE_CONNECTION_POOL:", "X:", "ENABLE_DETAILED_LOGGING:"};
        List<String> keys = new ArrayList<>(List.of("wxyz", "ünïcode-ключ", "tenant-17-edge-function"));
        for (int n = 4; n <= 40; n++) {
            keys.add("k".repeat(n - 1) + (char) ('a' + n % 26));
        }
        int[] out = new int[3];
        for (String key : keys) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            for (String a : prefixes) {
                for (String b : prefixes) {
                    for (String c : List.of(prefixes[0], prefixes[3])) {
                        Murmur3.hash3(Murmur3.prefix(a, 0), Murmur3.prefix(b, 0), Murmur3.prefix(c, 0), bytes, out);
                        assertThat(out).as("%s | %s | %s + %s", a, b, c, key).containsExactly(
                                Murmur3.hash32((a + key).getBytes(StandardCharsets.UTF_8), 0),
                                Murmur3.hash32((b + key).getBytes(StandardCharsets.UTF_8), 0),
                                Murmur3.hash32((c + key).getBytes(StandardCharsets.UTF_8), 0));
                    }
                }
            }
        }
    }

    @Test
    void shouldOnlyAddKeysWhenThePercentageRises() {
        for (int key = 0; key < 2_000; key++) {
            int bucket = Buckets.bucket("ENABLE_CIRCUIT_BREAKER", "client-" + key);
            assertThat(bucket).isBetween(1, 100);
            boolean applied = false;
            for (int pct = 0; pct <= 100; pct++) {
                boolean applies = bucket <= pct;
                assertThat(!applied || applies).as("key %d dropped out at %d%%", key, pct).isTrue();
                applied = applies;
            }
            assertThat(applied).isTrue();
        }
    }

    @Test
    void shouldPutAQuarterOfTenThousandKeysUnderA25PercentRollout() {
        int in = 0;
        for (int i = 0; i < 10_000; i++) {
            if (Buckets.bucket("ENABLE_CONNECTION_POOL", "user-" + i) <= 25) {
                in++;
            }
        }
        assertThat(in).isBetween(2_300, 2_700);
    }

    /** RFC 4180: fields may be quoted; a quote inside a quoted field is doubled. */
    static List<Row> fixtureRows() throws IOException {
        List<String> lines = Files.readAllLines(FIXTURE, StandardCharsets.UTF_8);
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            List<String> f = csvFields(line);
            rows.add(new Row(f.get(0), f.get(1), Integer.parseInt(f.get(2))));
        }
        return rows;
    }

    static List<String> csvFields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
