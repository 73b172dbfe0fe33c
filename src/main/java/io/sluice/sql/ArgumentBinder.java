package io.sluice.sql;

import java.util.List;

/**
 * Maps a statement's positional and named arguments onto its parameter slots. Every slot must be
 * filled exactly once: a missing, extra or unknown argument is {@code ARGS_INVALID}.
 */
public final class ArgumentBinder {

    /** A named argument as the client sent it; the name may carry its {@code :}/{@code @}/{@code $} prefix or not. */
    public record NamedArg(String name, Object value) {
    }

    private ArgumentBinder() {
    }

    /** Returns the value of each slot, index 0 for slot 1. */
    public static Object[] bind(ScannedStatement st, List<Object> args, List<NamedArg> namedArgs) throws StatementException {
        int count = st.paramCount();
        if (!args.isEmpty() && !namedArgs.isEmpty()) {
            throw new StatementException(ErrorCode.ARGS_INVALID, "Positional and named arguments cannot be mixed");
        }
        Object[] slots = new Object[count];
        if (!namedArgs.isEmpty()) {
            boolean[] filled = new boolean[count];
            for (NamedArg arg : namedArgs) {
                int slot = st.slotOf(arg.name());
                if (slot == 0) {
                    throw new StatementException(ErrorCode.ARGS_INVALID,
                            "Statement has no parameter named " + quote(arg.name()));
                }
                if (filled[slot - 1]) {
                    throw new StatementException(ErrorCode.ARGS_INVALID,
                            "Parameter " + quote(arg.name()) + " is given more than once");
                }
                filled[slot - 1] = true;
                slots[slot - 1] = arg.value();
            }
            for (int i = 0; i < count; i++) {
                if (!filled[i]) {
                    String name = st.paramNames().get(i);
                    throw new StatementException(ErrorCode.ARGS_INVALID, name == null
                            ? "Parameter " + (i + 1) + " is positional and cannot be bound by name"
                            : "Missing value for parameter " + quote(name));
                }
            }
            return slots;
        }
        if (args.size() != count) {
            throw new StatementException(ErrorCode.ARGS_INVALID,
                    "Statement takes " + count + " argument" + (count == 1 ? "" : "s") + " but " + args.size() + " were given");
        }
        return args.toArray(slots);
    }

    private static String quote(String name) {
        String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return "'" + shown + "'";
    }
}
