package io.sluice.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** {@code none}: nothing shared, nothing survives a restart; changes live in this process only. */
final class MemoryStore implements Store {
    private Map<String, String> data = Map.of();

    @Override
    public String kind() {
        return "none";
    }

    @Override
    public String location() {
        return "memory";
    }

    @Override
    public synchronized Map<String, String> read() {
        return data;
    }

    @Override
    public synchronized Map<String, String> update(UnaryOperator<Map<String, String>> change) {
        data = Map.copyOf(new TreeMap<>(change.apply(data)));
        return data;
    }

    @Override
    public synchronized Map<String, String> create(Map<String, String> content) {
        data = Map.copyOf(new TreeMap<>(content));
        return data;
    }

    @Override
    public void watch(Consumer<Map<String, String>> onChange, Consumer<Exception> onError) {
        // nobody else writes here
    }

    @Override
    public void close() {
    }
}
