package io.herald.bench.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryCheckTest {
    private static final long S = 1_000_000_000L;
    private static final long GRACE = 2 * S;

    /** Channel 0; node 0; subscribed at {@code from}, closed at {@code to} (MAX_VALUE: open). */
    private static Session session(int node, long from, long to, boolean byUs) {
        Session s = new Session(new Slot(7, false, 0, "c0"), 0, node, null);
        s.subscribedAt = from;
        s.closedAt = to;
        s.closedByUs = byUs;
        return s;
    }

    /** Publish seq i on channel 0 through node 0, sent at i s, answered 10 ms later, phase 0. */
    private static PublishTable log(int count) {
        PublishTable t = new PublishTable();
        for (int i = 0; i < count; i++) {
            t.add(i, 0, 0, 10 * S + i * S, 10 * S + i * S + 10_000_000L, 0, false);
        }
        return t;
    }

    @Test
    void aSubscriberIsHeldToWhatWasSentWhileItWasSubscribedAndAnsweredGraceBeforeItLeft() {
        PublishTable log = log(10); // seq i sent at 10 + i s
        Session whole = session(0, 1, Long.MAX_VALUE, false);
        Session late = session(0, 15 * S, Long.MAX_VALUE, false); // held to seqs 5..9
        Session left = session(0, 1, 16 * S, true); // held to what was answered by 14 s: seqs 0..3
        for (int i = 0; i < 10; i++) {
            whole.receive(i);
        }
        late.receive(5);
        late.receive(6); // misses 7, 8, 9
        left.receive(0);
        left.receive(1);
        left.receive(2); // misses 3; 4 and 5 are within the grace
        DeliveryCheck.Result r = DeliveryCheck.run(log, List.of(whole, late, left), List.of(), GRACE, 100 * S, 1);
        assertEquals(10 + 5 + 4, r.expected()[0]);
        assertEquals(10 + 2 + 3, r.delivered()[0]);
        assertEquals(3, r.sessions());
        assertEquals(4, r.lostExamples().size());
        assertTrue(r.lostExamples().get(0).contains("seq 7"), r.lostExamples().toString());
    }

    @Test
    void aSessionThatEndedWhileItsNodeWasDownIsHeldOnlyToWhatCameBefore() {
        PublishTable log = log(10);
        Session dropped = session(1, 1, 16 * S, false); // node 1 down from 15 s, seen closed at 16 s
        for (int i = 0; i <= 2; i++) {
            dropped.receive(i);
        }
        DeliveryCheck.Result r = DeliveryCheck.run(log, List.of(dropped), List.of(new DeliveryCheck.Dead(1, 15 * S, 20 * S)),
                GRACE, 100 * S, 1);
        assertEquals(3, r.expected()[0]); // answered by 13 s: seqs 0, 1, 2
        assertEquals(3, r.delivered()[0]);
        // The same close on another node's failure does not count.
        r = DeliveryCheck.run(log, List.of(dropped), List.of(new DeliveryCheck.Dead(2, 15 * S, 20 * S)), GRACE, 100 * S, 1);
        assertEquals(4, r.expected()[0]); // answered by 14 s: seqs 0..3
        assertEquals(3, r.delivered()[0]);
    }

    @Test
    void publishesAcceptedDuringAnOutageArePromisedOnlyToTheAcceptingNodesClients() {
        PublishTable log = new PublishTable();
        log.add(0, 0, 0, 10 * S, 10 * S + 1, 1, true); // through node 0 while the bus was down
        log.add(1, 0, 1, 11 * S, 11 * S + 1, 1, true); // through node 1
        Session onNode0 = session(0, 1, Long.MAX_VALUE, false);
        DeliveryCheck.Result r = DeliveryCheck.run(log, List.of(onNode0), List.of(), GRACE, 100 * S, 2);
        assertArrayEquals(new long[] {0, 1}, r.expected());
        assertArrayEquals(new long[] {0, 0}, r.delivered());
        assertArrayEquals(new long[] {0, 1}, r.expectedNotPromised());
        assertEquals(1, r.lostExamples().size(), "only the promised delivery is an example");
    }

    @Test
    void duplicatesAreCountedInThePhaseOfTheirPublish() {
        PublishTable log = new PublishTable();
        log.add(0, 0, 0, 10 * S, 10 * S, 0, false);
        log.add(1, 0, 0, 11 * S, 11 * S, 2, false);
        Session s = session(0, 1, Long.MAX_VALUE, false);
        assertTrue(s.receive(1));
        assertFalse(s.receive(1));
        assertTrue(s.receive(0));
        assertTrue(s.receive(99)); // a publish the API refused (not logged) may still arrive: not counted
        DeliveryCheck.Result r = DeliveryCheck.run(log, List.of(s), List.of(), GRACE, 100 * S, 3);
        assertArrayEquals(new long[] {0, 0, 1}, r.duplicates());
        assertEquals(0, r.duplicatesOfUnknownPublishes());
        assertArrayEquals(new long[] {1, 0, 1}, r.delivered());
    }

    @Test
    void seqSetKeepsOrderAndTellsRepeats() {
        SeqSet set = new SeqSet();
        int[] order = {5, 1, 9, 3, 7, 2, 8, 0, 6, 4, 10, 11, 12};
        for (int v : order) {
            assertTrue(set.add(v));
        }
        for (int v : order) {
            assertFalse(set.add(v));
            assertTrue(set.contains(v));
        }
        assertFalse(set.contains(13));
        set.trim();
        assertEquals(13, set.size());
        assertTrue(set.add(13));
    }
}
