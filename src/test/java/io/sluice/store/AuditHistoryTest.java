package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.flags.FlagService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit history beyond the store's bounded log: durable, rotated by size, paged newest first. */
class AuditHistoryTest {
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        replicas.close();
    }

    private FlagService service(String... props) {
        return replicaWith(null, props);
    }

    private final Replicas replicas = new Replicas();

    private FlagService replicaWith(Store backend, String... props) {
        return replicas.on(backend, props);
    }

    private StoreService store(FlagService s) {
        return replicas.store(s);
    }

    @Test
    void shouldKeepEveryEntryBeyondTheStoresAuditSizeAndPageThroughThemNewestFirst() {
        FlagService s = service("sluice.flags.audit-size", "5", "sluice.flags.store", "file", "sluice.flags.dir", dir.resolve("flags").toString());
        store(s).onStart(null);

        for (int pct = 1; pct <= 30; pct++) {
            s.rollout("ENABLE_STATE_MACHINE", pct, "alice", "step " + pct);
        }

        assertThat(store(s).document().audit()).hasSize(5);
        StoreService.AuditPage newest = store(s).auditPage(0, 10);
        assertThat(newest.source()).isEqualTo("file:" + dir.resolve("flags-audit.jsonl").toAbsolutePath());
        assertThat(newest.entries()).extracting(AuditEntry::why).containsExactly("step 30", "step 29", "step 28", "step 27", "step 26",
                "step 25", "step 24", "step 23", "step 22", "step 21");
        assertThat(newest.more()).isTrue();
        StoreService.AuditPage oldest = store(s).auditPage(25, 10);
        assertThat(oldest.entries()).extracting(AuditEntry::why).containsExactly("step 5", "step 4", "step 3", "step 2", "step 1");
        assertThat(oldest.more()).isFalse();
        assertThat(oldest.entries().get(4).who()).isEqualTo("alice");
    }

    @Test
    void shouldRotateBySizeKeepingABoundedNumberOfFilesAndNoPartialLines() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditHistory h = new AuditHistory(file, 1024, 3);

        for (int i = 0; i < 100; i++) {
            h.append(new AuditEntry(Instant.parse("2026-12-03T00:00:00Z").plusSeconds(i), "ops", "rollout", "F", "a", "b", "entry " + i));
        }

        assertThat(file).exists();
        assertThat(Files.size(file)).isLessThanOrEqualTo(1024);
        assertThat(dir.resolve("audit.jsonl.1")).exists();
        assertThat(dir.resolve("audit.jsonl.2")).exists();
        assertThat(dir.resolve("audit.jsonl.3")).doesNotExist();
        AuditHistory.Page all = h.page(0, 1000);
        assertThat(all.more()).isFalse();
        assertThat(all.entries().size()).isBetween(6, 99);
        for (int i = 0; i < all.entries().size(); i++) {
            assertThat(all.entries().get(i).why()).isEqualTo("entry " + (99 - i));
        }
        for (Path f : List.of(file, dir.resolve("audit.jsonl.1"), dir.resolve("audit.jsonl.2"))) {
            assertThat(Files.readString(f)).endsWith("\n");
        }
    }

    @Test
    void shouldWriteTheHistoryNextToTheFileStoreFromStartUpAndPageTheStoreWithoutOne() throws Exception {
        FlagService file = service("sluice.flags.store", "file", "sluice.flags.dir", dir.resolve("flags").toString());
        store(file).onStart(null);
        file.disable("ENABLE_CIRCUIT_BREAKER", "bob", "incident 7");

        assertThat(Files.readString(dir.resolve("flags-audit.jsonl"))).contains("\"why\":\"incident 7\"").contains("\"who\":\"bob\"");

        FlagService memory = service();
        store(memory).open(new MemoryStore());
        memory.enable("ENABLE_DETAILED_LOGGING", "carol", "first");
        memory.disable("ENABLE_DETAILED_LOGGING", "carol", "second");
        StoreService.AuditPage page = store(memory).auditPage(0, 1);
        assertThat(page.source()).isEqualTo("store");
        assertThat(page.entries()).extracting(AuditEntry::why).containsExactly("second");
        assertThat(page.more()).isTrue();
    }
}
