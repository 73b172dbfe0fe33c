package io.sluice.flags;

import io.sluice.config.SettingsStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Runtime-setting overrides kept in the flag store under the key {@code settings.properties}
 * ({@code component.key=value} lines), audited in the same log as flags.
 */
@ApplicationScoped
public class FlagSettingsStore implements SettingsStore {
    private final FlagService flags;

    FlagSettingsStore(FlagService flags) {
        this.flags = flags;
    }

    @Override
    public Map<String, String> write(UnaryOperator<Map<String, String>> change, String target, String before, String after, String who,
            String why) {
        Map<String, String>[] out = new Map[1];
        Map<String, String> written = flags.updateStore(data -> {
            Map<String, String> next = new TreeMap<>(data);
            out[0] = change.apply(parse(data.get(FlagCodec.SETTINGS)));
            next.put(FlagCodec.SETTINGS, encode(out[0]));
            flags.audit(next, "update", target, who, before, after, why);
            return next;
        });
        flags.applyWritten(written);
        return out[0];
    }

    @Override
    public void subscribe(Consumer<Map<String, String>> overrides) {
        flags.addContentListener(content -> overrides.accept(parse(content.get(FlagCodec.SETTINGS))));
    }

    static Map<String, String> parse(String text) {
        Map<String, String> out = new TreeMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new FlagException(FlagCodec.SETTINGS, "key 'settings.properties' is not a properties text: " + e.getMessage());
        }
        p.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    static String encode(Map<String, String> overrides) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(overrides).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }
}
