package io.sluice.store;

import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Where flags, the killswitch, the audit log and runtime settings live, as string keys and values
 * (a ConfigMap's {@code data}). Every replica watches the same store, so they converge.
 */
public interface Store extends AutoCloseable {

    /** {@code file}, {@code kubernetes} or {@code none}. */
    String kind();

    /** Where: a directory, {@code namespace/configmap}, or {@code memory}. */
    String location();

    /**
     * The store's current content.
     *
     * @throws StoreMissingException the store does not exist (never created, or deleted): never read as empty
     */
    Map<String, String> read() throws IOException;

    /**
     * Read-modify-write with optimistic concurrency: {@code change} gets the current content and returns
     * the complete new content; when someone else wrote in between, it is called again on their result.
     *
     * @return the content written
     * @throws StoreMissingException the store does not exist: nothing is written ({@link #create} decides)
     */
    Map<String, String> update(UnaryOperator<Map<String, String>> change) throws IOException;

    /**
     * Creates the missing store with this content (a fresh install's empty one, or the last good state
     * restored). When it exists after all (another replica was quicker), nothing is overwritten:
     * {@link StoreExistsException}.
     */
    Map<String, String> create(Map<String, String> content) throws IOException;

    /** {@link #create} found the store already there. */
    class StoreExistsException extends IOException {
        public StoreExistsException(String message) {
            super(message);
        }
    }

    /** Starts delivering the whole content on every change seen (from any writer), and errors reaching the store. */
    void watch(Consumer<Map<String, String>> onChange, Consumer<Exception> onError);

    @Override
    void close();
}
