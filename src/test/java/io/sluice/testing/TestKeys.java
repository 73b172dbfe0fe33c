package io.sluice.testing;

import io.sluice.auth.TokenMinter;

/**
 * One Ed25519 key pair per name for the whole test JVM. The pair is kept in system properties because
 * Quarkus may load a test profile and its test in different class loaders; a static field would then hold
 * two different keys.
 */
public final class TestKeys {
    private TestKeys() {
    }

    public static synchronized TokenMinter.KeyMaterial pair(String name) {
        String privateKey = "sluice-test-keys." + name + ".private";
        String publicKey = "sluice-test-keys." + name + ".public";
        if (System.getProperty(privateKey) == null) {
            TokenMinter.KeyMaterial k = TokenMinter.generateKeyPair();
            System.setProperty(privateKey, k.privateKeyPem());
            System.setProperty(publicKey, k.publicKeyBase64Url());
        }
        return new TokenMinter.KeyMaterial(System.getProperty(publicKey), null, System.getProperty(privateKey));
    }
}
