package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sql.ArgumentBinder.NamedArg;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArgumentBinderTest {

    private static Object[] bind(String sql, List<Object> args, List<NamedArg> named) throws StatementException {
        return ArgumentBinder.bind(SqlScanner.scanOne(sql), args, named);
    }

    private static String rejection(String sql, List<Object> args, List<NamedArg> named) {
        try {
            bind(sql, args, named);
        } catch (StatementException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.code();
        }
        throw new AssertionError("expected the arguments to be rejected");
    }

    @Test
    void shouldBindPositionalArgumentsToSlotsInOrder() throws Exception {
        assertThat(bind("SELECT ?, ?", List.of(1L, "x"), List.of())).containsExactly(1L, "x");
    }

    @Test
    void shouldBindNullValues() throws Exception {
        assertThat(bind("SELECT ?, :a", java.util.Arrays.asList(null, 2.5), List.of())).containsExactly(null, 2.5);
    }

    @Test
    void shouldBindPositionalArgumentsToNumberedAndNamedSlots() throws Exception {
        assertThat(bind("SELECT ?2, ?1", List.of("one", "two"), List.of())).containsExactly("one", "two");
        assertThat(bind("SELECT :a, @b, :a", List.of(1L, 2L), List.of())).containsExactly(1L, 2L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", ":a"})
    void shouldBindNamedArgumentsWithOrWithoutPrefix(String name) throws Exception {
        assertThat(bind("SELECT :a, $b", List.of(), List.of(new NamedArg("b", 2L), new NamedArg(name, 1L)))).containsExactly(1L, 2L);
    }

    @Test
    void shouldBindNumberedParameterByItsName() throws Exception {
        assertThat(bind("SELECT ?1, ?2", List.of(), List.of(new NamedArg("?2", "b"), new NamedArg("?1", "a")))).containsExactly("a", "b");
    }

    @Test
    void shouldBindNothingForStatementWithoutParameters() throws Exception {
        assertThat(bind("SELECT 1", List.of(), List.of())).isEmpty();
    }

    @Test
    void shouldRejectMissingExtraAndSurplusPositionalArguments() {
        assertThat(rejection("SELECT ?, ?", List.of(1L), List.of())).isEqualTo(ErrorCode.ARGS_INVALID);
        assertThat(rejection("SELECT ?", List.of(1L, 2L), List.of())).isEqualTo(ErrorCode.ARGS_INVALID);
        assertThat(rejection("SELECT 1", List.of(1L), List.of())).isEqualTo(ErrorCode.ARGS_INVALID);
        assertThat(rejection("SELECT ?", List.of(), List.of())).isEqualTo(ErrorCode.ARGS_INVALID);
    }

    @Test
    void shouldRejectMissingUnknownAndDuplicateNamedArguments() {
        assertThat(rejection("SELECT :a, :b", List.of(), List.of(new NamedArg("a", 1L)))).isEqualTo(ErrorCode.ARGS_INVALID);
        assertThat(rejection("SELECT :a", List.of(), List.of(new NamedArg("a", 1L), new NamedArg("z", 2L)))).isEqualTo(ErrorCode.ARGS_INVALID);
        assertThat(rejection("SELECT :a", List.of(), List.of(new NamedArg("a", 1L), new NamedArg(":a", 2L)))).isEqualTo(ErrorCode.ARGS_INVALID);
        assertThat(rejection("SELECT 1", List.of(), List.of(new NamedArg("a", 1L)))).isEqualTo(ErrorCode.ARGS_INVALID);
    }

    @Test
    void shouldRejectNamedArgumentsForBareQuestionMark() {
        assertThat(rejection("SELECT ?, :a", List.of(), List.of(new NamedArg("a", 1L)))).isEqualTo(ErrorCode.ARGS_INVALID);
    }

    @Test
    void shouldRejectMixingPositionalAndNamedArguments() {
        assertThat(rejection("SELECT ?, :a", List.of(1L), List.of(new NamedArg("a", 2L)))).isEqualTo(ErrorCode.ARGS_INVALID);
    }
}
