package io.sluice.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The audit history beyond the store's bounded {@code audit.jsonl}: an append-only JSON-lines file next to
 * the file store, rotated by size ({@code <file>.1} is the newest rotated one) with a bounded number of
 * files, so it never grows without limit. Replicas sharing the store directory append to the same file
 * under an OS file lock; each line is one whole entry.
 */
final class AuditHistory {
    private final Path file;
    private final long maxBytes;
    private final int maxFiles;

    /**
     * @param maxBytes a file is rotated before an append would take it beyond this
     * @param maxFiles files kept in all, the live one included; the oldest rotated file is dropped
     */
    AuditHistory(Path file, long maxBytes, int maxFiles) {
        this.file = file;
        this.maxBytes = Math.max(1024, maxBytes);
        this.maxFiles = Math.max(1, maxFiles);
    }

    Path file() {
        return file;
    }

    synchronized void append(AuditEntry e) throws IOException {
        byte[] line = Document.encodeAudit(List.of(e)).getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockChannel.lock()) {
            if (Files.exists(file) && Files.size(file) + line.length > maxBytes) {
                rotate();
            }
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(line);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                out.force(false);
            }
        }
    }

    private void rotate() throws IOException {
        Files.deleteIfExists(rotated(maxFiles - 1));
        for (int i = maxFiles - 2; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (maxFiles > 1) {
            Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(file);
        }
    }

    private Path rotated(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    /** Entries newest first, skipping {@code offset}, at most {@code limit}; {@code more} when older ones remain. */
    synchronized Page page(int offset, int limit) {
        List<AuditEntry> out = new ArrayList<>();
        int skipped = 0;
        boolean more = false;
        try {
            for (int i = 0; i < maxFiles && !more; i++) {
                Path f = i == 0 ? file : rotated(i);
                if (!Files.exists(f)) {
                    continue;
                }
                List<AuditEntry> entries = Document.decodeAudit(Files.readString(f, StandardCharsets.UTF_8));
                Collections.reverse(entries);
                for (AuditEntry e : entries) {
                    if (skipped < offset) {
                        skipped++;
                    } else if (out.size() < limit) {
                        out.add(e);
                    } else {
                        more = true;
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("audit history " + file + " could not be read: " + e.getMessage(), e);
        }
        return new Page(out, more);
    }

    record Page(List<AuditEntry> entries, boolean more) {
    }
}
