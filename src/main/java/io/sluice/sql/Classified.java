package io.sluice.sql;

/** An exception that knows its own {@link FailureClass}; {@link SqlErrors#classify} asks it first. */
public interface Classified {
    FailureClass failureClass();
}
