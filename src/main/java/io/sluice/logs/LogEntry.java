package io.sluice.logs;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/**
 * One recent log record as {@code debug:logs} shows it.
 *
 * @param time when it was logged
 * @param level TRACE, DEBUG, INFO, WARN or ERROR
 * @param logger the logger's name
 * @param thread the logging thread's name
 * @param message the formatted message with secrets scrubbed, at most {@link LogRing#MAX_MESSAGE_CHARS} characters
 * @param exception the class name of the attached exception, or {@code null}; never its message or stack
 */
@RegisterForReflection
public record LogEntry(Instant time, String level, String logger, String thread, String message, String exception) {
}
