package io.sluice.store;

import io.sluice.config.SettingsStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Runtime-setting overrides kept in the document's settings tenant ({@code settings.properties},
 * {@code component.key=value} lines), audited in the same log as flags.
 */
@ApplicationScoped
public class SettingsTenant implements SettingsStore {
    private final StoreService store;

    SettingsTenant(StoreService store) {
        this.store = store;
    }

    @Override
    public Map<String, String> write(UnaryOperator<Map<String, String>> change, String target, String before, String after, String who,
            String why) {
        return store.write(draft -> {
            Map<String, String> next = change.apply(draft.before().settings());
            draft.settings(next).audit("update", target, who, before, after, why);
            return next;
        });
    }

    @Override
    public void subscribe(Consumer<Map<String, String>> overrides) {
        store.subscribe(document -> {
            overrides.accept(document.settings());
            return Map.of();
        });
    }
}
