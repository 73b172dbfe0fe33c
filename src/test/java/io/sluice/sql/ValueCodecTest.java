package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Object decode(String json) throws IOException {
        return ValueCodec.decode(JSON.readTree(json));
    }

    @Test
    void shouldDecodeEveryValueType() throws Exception {
        assertThat(decode("{\"type\":\"null\"}")).isNull();
        assertThat(decode("{\"type\":\"integer\",\"value\":\"-9223372036854775808\"}")).isEqualTo(Long.MIN_VALUE);
        assertThat(decode("{\"type\":\"integer\",\"value\":\"9223372036854775807\"}")).isEqualTo(Long.MAX_VALUE);
        assertThat(decode("{\"type\":\"float\",\"value\":2.5}")).isEqualTo(2.5);
        assertThat(decode("{\"type\":\"text\",\"value\":\"héllo ✓\"}")).isEqualTo("héllo ✓");
        assertThat((byte[]) decode("{\"type\":\"blob\",\"base64\":\"AQL/\"}")).containsExactly(1, 2, 255);
    }

    @Test
    void shouldDecodeIntegralFloatAsDoubleSoItBindsAsReal() throws Exception {
        assertThat(decode("{\"type\":\"float\",\"value\":1}")).isInstanceOf(Double.class).isEqualTo(1.0);
    }

    @Test
    void shouldDecodeUnpaddedAndUrlSafeBase64() throws Exception {
        assertThat((byte[]) decode("{\"type\":\"blob\",\"base64\":\"AQE\"}")).containsExactly(1, 1);
        assertThat((byte[]) decode("{\"type\":\"blob\",\"base64\":\"AQL_\"}")).containsExactly(1, 2, 255);
    }

    @Test
    void shouldDecodeEmptyBase64AsZeroLengthBlobNotNull() throws Exception {
        assertThat(decode("{\"type\":\"blob\",\"base64\":\"\"}")).isInstanceOf(byte[].class);
        assertThat((byte[]) decode("{\"type\":\"blob\",\"base64\":\"\"}")).isEmpty();
    }

    @Test
    void shouldIgnoreUnknownFieldsOfValue() throws Exception {
        assertThat(decode("{\"type\":\"text\",\"value\":\"v\",\"extra\":1}")).isEqualTo("v");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"bigint\",\"value\":\"1\"}", "{\"value\":\"1\"}", "{\"type\":1}", "[]", "\"text\"", "null",
            "{\"type\":\"integer\",\"value\":\"x\"}", "{\"type\":\"integer\",\"value\":\"9223372036854775808\"}",
            "{\"type\":\"integer\",\"value\":\"1.0\"}", "{\"type\":\"integer\"}", "{\"type\":\"float\",\"value\":\"1\"}",
            "{\"type\":\"float\",\"value\":1e999}", "{\"type\":\"text\",\"value\":1}", "{\"type\":\"text\"}",
            "{\"type\":\"blob\"}", "{\"type\":\"blob\",\"base64\":\"@@@@\"}", "{\"type\":\"blob\",\"base64\":\"A\"}"})
    void shouldRejectMalformedValue(String json) {
        assertThatThrownBy(() -> decode(json)).isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("Exception");
    }
}
