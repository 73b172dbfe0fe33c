package io.sluice.logs;

import io.sluice.sql.SqlRedaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;

/**
 * A bounded ring of the most recent log records, filled by a handler on the root logger. Publishing takes
 * one atomic increment and one array store and never blocks: a writer claims the next slot by sequence
 * number and overwrites whatever was there, so the ring always holds the last {@code capacity} records.
 * Reading copies the slots and orders them by sequence number. Only the level, time, logger, thread, the
 * formatted message (secrets scrubbed, truncated) and the exception's class name are kept.
 */
public final class LogRing extends ExtHandler {
    /** Longest message kept; the rest is cut, so one huge line cannot pin memory. */
    static final int MAX_MESSAGE_CHARS = 2000;

    private record Slot(long seq, LogLevel level, LogEntry entry) {
    }

    private final AtomicReferenceArray<Slot> slots;
    private final AtomicLong next = new AtomicLong();

    /** @param capacity how many records are kept, at least 1 */
    public LogRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the log ring needs a capacity of at least 1, not " + capacity);
        }
        this.slots = new AtomicReferenceArray<>(capacity);
    }

    public int capacity() {
        return slots.length();
    }

    @Override
    protected void doPublish(ExtLogRecord record) {
        String message;
        try {
            message = record.getFormattedMessage();
        } catch (RuntimeException e) {
            message = record.getMessage();
        }
        message = SqlRedaction.scrubSecrets(message == null ? "" : message);
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS) + "…";
        }
        Throwable thrown = record.getThrown();
        LogLevel level = LogLevel.of(record.getLevel());
        LogEntry entry = new LogEntry(record.getInstant(), level.name(), record.getLoggerName(), record.getThreadName(),
                message, thrown == null ? null : thrown.getClass().getName());
        long seq = next.getAndIncrement();
        slots.set((int) (seq % slots.length()), new Slot(seq, level, entry));
    }

    /**
     * The newest records at {@code minimum} or more severe, logged at or after {@code since}, oldest first.
     *
     * @param limit at most this many, the newest ones
     */
    public List<LogEntry> recent(LogLevel minimum, Instant since, int limit) {
        List<Slot> copy = new ArrayList<>(slots.length());
        for (int i = 0; i < slots.length(); i++) {
            Slot s = slots.get(i);
            if (s != null && s.level().compareTo(minimum) >= 0 && !s.entry().time().isBefore(since)) {
                copy.add(s);
            }
        }
        copy.sort(Comparator.comparingLong(Slot::seq));
        List<Slot> newest = copy.subList(Math.max(0, copy.size() - limit), copy.size());
        return newest.stream().map(Slot::entry).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
