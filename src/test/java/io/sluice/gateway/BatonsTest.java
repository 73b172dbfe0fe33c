package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.auth.Access;
import io.sluice.auth.Principal;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatonsTest {
    private static final byte[] ALICE = Batons.binding(new Principal("alice", Access.READ_WRITE).identity());
    private static final byte[] BOB = Batons.binding(new Principal("bob", Access.READ_WRITE).identity());
    private final Batons batons = new Batons("shared-secret", "http://replica-1:8080");

    private static void assertRejected(Batons b, String baton) {
        assertThatThrownBy(() -> b.verify(baton, ALICE))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void shouldVerifyIssuedBatonAndDecodeStreamSequenceAndOwner() {
        String baton = batons.issue(0x1234_5678_9abc_def0L, 42, ALICE);

        Batons.Decoded d = batons.verify(baton, ALICE);

        assertThat(d).isEqualTo(new Batons.Decoded(0x1234_5678_9abc_def0L, 42, "http://replica-1:8080"));
        assertThat(batons.isOwnedHere(d)).isTrue();
    }

    @Test
    void shouldIssueUrlSafeBatonsThatDifferPerSequence() {
        Set<String> seen = new HashSet<>();
        for (long seq = 0; seq < 100; seq++) {
            String b = batons.issue(-1L, seq, ALICE);
            assertThat(b).matches("[A-Za-z0-9_-]+");
            assertThat(seen.add(b)).isTrue();
        }
    }

    @Test
    void shouldAcceptBatonFromReplicaSharingTheKeyAndTellItsOwner() {
        Batons other = new Batons("shared-secret", "http://replica-2:8080");

        Batons.Decoded d = batons.verify(other.issue(7, 1, ALICE), ALICE);

        assertThat(d.owner()).isEqualTo("http://replica-2:8080");
        assertThat(batons.isOwnedHere(d)).isFalse();
    }

    @Test
    void shouldRejectBatonSignedWithAnotherKey() {
        assertRejected(batons, new Batons("other-secret", "http://replica-1:8080").issue(7, 1, ALICE));
    }

    @Test
    void shouldUseRandomKeyPerInstanceWhenNoSecretIsSet() {
        Batons a = new Batons(null, "");
        Batons b = new Batons("  ", "");

        assertThat(a.verify(a.issue(1, 1, ALICE), ALICE).streamId()).isEqualTo(1);
        assertRejected(b, a.issue(1, 1, ALICE));
    }

    @Test
    void shouldRejectEveryTamperedByte() {
        byte[] raw = Base64.getUrlDecoder().decode(batons.issue(99, 3, ALICE));
        for (int i = 0; i < raw.length; i++) {
            byte[] tampered = raw.clone();
            tampered[i] ^= 0x20;
            assertRejected(batons, Base64.getUrlEncoder().withoutPadding().encodeToString(tampered));
        }
    }

    @Test
    void shouldRejectTruncatedBaton() {
        String baton = batons.issue(99, 3, ALICE);

        assertRejected(batons, baton.substring(0, baton.length() - 4));
        assertRejected(batons, baton.substring(0, 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage!", "04696e82778b.1", "====", "AA"})
    void shouldRejectGarbledBaton(String baton) {
        assertRejected(batons, baton);
    }

    @Test
    void shouldRejectOverlongBaton() {
        assertRejected(batons, "A".repeat(5000));
    }

    @Test
    void shouldRefuseBatonPresentedByAnotherPrincipal() {
        String baton = batons.issue(99, 3, ALICE);

        assertThatThrownBy(() -> batons.verify(baton, BOB))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(batons.verify(baton, ALICE).streamId()).isEqualTo(99);
    }

    @Test
    void shouldRefuseBatonOfOneTokenWithoutSubjectPresentedByAnother() {
        byte[] first = Batons.binding(new Principal(null, Access.READ_WRITE, false, Principal.fingerprint("token-one")).identity());
        byte[] second = Batons.binding(new Principal(null, Access.READ_WRITE, false, Principal.fingerprint("token-two")).identity());
        String baton = batons.issue(5, 1, first);

        assertRejected(batons, baton, second);
        assertRejected(batons, baton, Batons.binding(null));
        assertThat(batons.verify(baton, first).sequence()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAnAuthenticatedPrincipalsBatonWithoutAuthenticationAndTheOtherWayRound() {
        byte[] anonymous = Batons.binding(Principal.anonymous().identity());

        assertRejected(batons, batons.issue(5, 1, ALICE), anonymous);
        assertRejected(batons, batons.issue(5, 1, anonymous), ALICE);
        assertThat(batons.verify(batons.issue(5, 1, anonymous), anonymous).streamId()).isEqualTo(5);
    }

    @Test
    void shouldNotLetAPrincipalSubjectPassForATokenFingerprint() {
        String fingerprint = Principal.fingerprint("some-token");
        byte[] bySubject = Batons.binding(new Principal("token:" + fingerprint, Access.READ_WRITE).identity());
        byte[] byToken = Batons.binding(new Principal(null, Access.READ_WRITE, false, fingerprint).identity());

        assertRejected(batons, batons.issue(5, 1, byToken), bySubject);
    }

    private static void assertRejected(Batons b, String baton, byte[] binding) {
        assertThatThrownBy(() -> b.verify(baton, binding))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
}
