package io.sluice.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * {@code file}: a directory laid out as Kubernetes mounts a ConfigMap volume — one file per key, each a
 * symlink {@code KEY -> ..data/KEY}, where {@code ..data} is a symlink to a timestamped directory that the
 * kubelet replaces in one atomic rename. Plain files in the directory work too.
 *
 * <p>Reads resolve {@code ..data} once, so a read never mixes two versions. Writes use the same atomic
 * swap (or, for a directory of plain files, an atomic rename per file). The directory is polled: symlink
 * swaps are exactly what file-watch APIs report unreliably, and reading a few small files a second costs
 * nothing.
 */
final class FileStore implements Store {
    private static final Logger LOG = Logger.getLogger(FileStore.class);
    private static final String DATA = "..data";

    private final Path dir;
    private final Duration pollInterval;
    private ScheduledExecutorService poller;

    FileStore(Path dir, Duration pollInterval) {
        this.dir = dir;
        this.pollInterval = pollInterval;
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public String location() {
        return dir.toAbsolutePath().toString();
    }

    @Override
    public Map<String, String> read() throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            throw new StoreMissingException("flag directory " + dir + " does not exist");
        }
        Path data = dir.resolve(DATA);
        if (Files.isDirectory(data)) {
            Path version = data.toRealPath();
            readPlainFiles(version, out);
        }
        // keys outside ..data: plain files written by hand or by the per-file writer
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || out.containsKey(name) || Files.isSymbolicLink(p) && !Files.exists(p)) {
                    continue;
                }
                if (Files.isRegularFile(p)) {
                    out.put(name, readUtf8(p));
                }
            }
        }
        return out;
    }

    private static void readPlainFiles(Path from, Map<String, String> out) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(from)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && Files.isRegularFile(p)) {
                    out.put(name, readUtf8(p));
                }
            }
        }
    }

    private static String readUtf8(Path p) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(p))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("file '" + p.getFileName() + "' is not UTF-8 text", e);
        }
    }

    @Override
    public synchronized Map<String, String> update(UnaryOperator<Map<String, String>> change) throws IOException {
        Map<String, String> before = read();
        Map<String, String> after = new TreeMap<>(change.apply(before));
        boolean plainLayout = !Files.exists(dir.resolve(DATA), LinkOption.NOFOLLOW_LINKS) && hasPlainKeys();
        if (plainLayout) {
            writePlain(before, after);
        } else {
            swap(after);
        }
        return after;
    }

    @Override
    public synchronized Map<String, String> create(Map<String, String> content) throws IOException {
        if (Files.isDirectory(dir)) {
            throw new Store.StoreExistsException("flag directory " + dir + " exists");
        }
        Files.createDirectories(dir);
        Map<String, String> after = new TreeMap<>(content);
        swap(after);
        return after;
    }

    private boolean hasPlainKeys() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void writePlain(Map<String, String> before, Map<String, String> after) throws IOException {
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (!Objects.equals(before.get(e.getKey()), e.getValue())) {
                Path tmp = dir.resolve(".tmp-" + e.getKey());
                Files.writeString(tmp, e.getValue(), StandardCharsets.UTF_8);
                Files.move(tmp, dir.resolve(e.getKey()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String gone : before.keySet()) {
            if (!after.containsKey(gone)) {
                Files.deleteIfExists(dir.resolve(gone));
            }
        }
    }

    /** The kubelet's way: write a new version directory, then rename a fresh {@code ..data} link over the old one. */
    private void swap(Map<String, String> after) throws IOException {
        Path data = dir.resolve(DATA);
        Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        Path version = Files.createTempDirectory(dir, "..v");
        for (Map.Entry<String, String> e : after.entrySet()) {
            Files.writeString(version.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
        }
        Path link = dir.resolve("..data_tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, version.getFileName());
        Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String key : after.keySet()) {
            Path k = dir.resolve(key);
            if (!Files.exists(k, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(k, Path.of(DATA, key));
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && !after.containsKey(name) && Files.isSymbolicLink(p)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (old != null && !old.equals(version)) {
            deleteTree(old);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    @Override
    public synchronized void watch(Consumer<Map<String, String>> onChange, Consumer<Exception> onError) {
        if (poller != null) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-flags-file");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(50, pollInterval.toMillis());
        poller.scheduleWithFixedDelay(() -> {
            // under the store's lock, so a content read before one of our own writes is never delivered after it
            synchronized (this) {
                try {
                    // a vanished directory is an error (read() says so), not an empty store: defaults would
                    // silently undo a killswitch
                    onChange.accept(read());
                } catch (IOException | RuntimeException e) {
                    onError.accept(e);
                }
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
        LOG.debugf("polling flag directory %s every %d ms", dir, ms);
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }
}
