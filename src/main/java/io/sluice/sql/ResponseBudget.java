package io.sluice.sql;

/**
 * The bytes a single response may still carry. Sizes are estimates of the encoded JSON, erring on the
 * large side, so the limit holds without encoding twice.
 */
public final class ResponseBudget {
    private final long limit;
    private long used;

    public ResponseBudget(long limit) {
        this.limit = limit;
    }

    public void charge(long bytes) throws StatementException {
        used += bytes;
        if (used > limit) {
            throw tooLarge();
        }
    }

    /** The bytes charged so far: an estimate, erring large, of the response's size. */
    public long used() {
        return used;
    }

    /** The bytes still allowed. */
    public long remaining() {
        return Math.max(0, limit - used);
    }

    /** The failure of a value or row that does not fit. */
    StatementException tooLarge() {
        return new StatementException(ErrorCode.RESPONSE_TOO_LARGE, "Response is too large: the limit is " + limit + " bytes");
    }

    /** Gives back bytes charged for a result that will not be sent after all. */
    public void refund(long bytes) {
        used -= bytes;
    }

    /** An estimate, erring large, of the bytes one value takes in a JSON response. */
    public static long encodedSize(Object v) {
        if (v == null) {
            return 16;
        }
        if (v instanceof String s) {
            return 32 + s.length() * 2L;
        }
        if (v instanceof byte[] b) {
            return 32 + (b.length * 4L + 2) / 3;
        }
        return 48;
    }
}
