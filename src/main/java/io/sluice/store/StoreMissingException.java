package io.sluice.store;

import java.io.IOException;

/**
 * The store does not exist: never created (a fresh install) or deleted (a removed directory, a deleted
 * ConfigMap). A missing store is never read as an empty one, which would silently reset the killswitch.
 */
class StoreMissingException extends IOException {
    StoreMissingException(String message) {
        super(message);
    }
}
