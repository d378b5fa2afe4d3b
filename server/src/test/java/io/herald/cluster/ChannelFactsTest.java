package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cluster.ChannelFacts.Key;
import io.herald.events.ServerEvents;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rule that decides channel facts, without a bus: a fact is announced by the channel's owner
 * only, at once when something appears and after the hold when it is gone, and a change of owner
 * hands over what was held. The hold is 200 ms here; every step runs on the facts thread.
 */
class ChannelFactsTest {
    private static final long HOLD = 200;
    private static final Key ROOM = Key.channel("app", "room");
    private static final Key ALICE = Key.member("app", "presence-room", "alice");

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final Set<Key> present = new HashSet<>();
    private boolean owner = true;
    private final LinkedBlockingQueue<String> posted = new LinkedBlockingQueue<>();
    private final List<String> toldPeers = new ArrayList<>();

    private final ChannelFacts facts = new ChannelFacts(new ChannelFacts.View() {
        @Override
        public boolean present(Key key) {
            return present.contains(key);
        }

        @Override
        public boolean ownsHere(String appId, String channel) {
            return owner;
        }
    }, new ServerEvents() {
        @Override
        public void channelOccupied(String appId, String channel) {
            posted.add("occupied " + channel);
        }

        @Override
        public void channelVacated(String appId, String channel) {
            posted.add("vacated " + channel);
        }

        @Override
        public void memberAdded(String appId, String channel, String userId) {
            posted.add("added " + userId);
        }

        @Override
        public void memberRemoved(String appId, String channel, String userId) {
            posted.add("removed " + userId);
        }
    }, thread, (key, isPresent) -> toldPeers.add(key.channel() + (isPresent ? " 1" : " 0")), HOLD);

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    /** Runs {@code step} on the facts thread and waits for it. */
    private void on(Runnable step) throws Exception {
        thread.submit(step).get(5, TimeUnit.SECONDS);
    }

    private String next() throws InterruptedException {
        return posted.poll(5, TimeUnit.SECONDS);
    }

    /** Nothing more is posted within two holds. */
    private void assertQuiet() throws InterruptedException {
        assertThat(posted.poll(HOLD * 2, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void nothingIsDecidedBeforeTheNodeIsReady() throws Exception {
        on(() -> {
            present.add(ROOM);
            facts.changed(ROOM);
        });
        assertQuiet();
        on(facts::ready);
        assertThat(next()).isEqualTo("occupied room");
    }

    @Test
    void appearingIsPostedAtOnceAndGoneOnlyAfterTheHold() throws Exception {
        on(facts::ready);
        on(() -> {
            present.add(ROOM);
            facts.changed(ROOM);
        });
        assertThat(next()).isEqualTo("occupied room");
        long left = System.nanoTime();
        on(() -> {
            present.remove(ROOM);
            facts.changed(ROOM);
        });
        assertThat(next()).isEqualTo("vacated room");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left)).isGreaterThanOrEqualTo(HOLD - 20);
        on(() -> assertThat(toldPeers).as("what the other nodes were told").containsExactly("room 1", "room 0"));
    }

    @Test
    void comingBackWithinTheHoldPostsNothing() throws Exception {
        on(facts::ready);
        on(() -> {
            present.add(ALICE);
            facts.changed(ALICE);
        });
        assertThat(next()).isEqualTo("added alice");
        on(() -> {
            present.remove(ALICE);
            facts.changed(ALICE);
            present.add(ALICE);
            facts.changed(ALICE);
        });
        assertQuiet();
    }

    @Test
    void anotherNodesAnnouncementIsNotRepeated() throws Exception {
        on(facts::ready);
        on(() -> {
            facts.announcedElsewhere(ROOM, true);
            present.add(ROOM);
            facts.changed(ROOM);
        });
        assertQuiet();
        on(() -> assertThat(toldPeers).isEmpty());
    }

    @Test
    void aNodeThatDoesNotOwnTheChannelPostsNothing() throws Exception {
        owner = false;
        on(facts::ready);
        on(() -> {
            present.add(ROOM);
            facts.changed(ROOM);
        });
        assertQuiet();
    }

    /** The owner died holding a vacated: when this node takes the channel over, it holds and posts it. */
    @Test
    void theNewOwnerPostsWhatTheOldOneHeld() throws Exception {
        owner = false;
        on(facts::ready);
        on(() -> {
            facts.announcedElsewhere(ROOM, true); // the old owner posted occupied
            present.add(ROOM);
            facts.changed(ROOM);
            present.remove(ROOM);
            facts.changed(ROOM); // ... and was holding the vacated when it died
        });
        assertQuiet();
        on(() -> {
            owner = true;
            facts.reconcileAll();
        });
        assertThat(next()).isEqualTo("vacated room");
    }

    @Test
    void theLastNodePostsWhatItHoldsWhenItStops() throws Exception {
        on(facts::ready);
        on(() -> {
            present.add(ROOM);
            facts.changed(ROOM);
        });
        assertThat(next()).isEqualTo("occupied room");
        on(() -> {
            present.remove(ROOM);
            facts.changed(ROOM);
            facts.endHolds();
        });
        assertThat(posted.poll()).as("posted at once, not after the hold").isEqualTo("vacated room");
    }

    @Test
    void ownersAreTheSameOnEveryNodeAndOnlyALeavingNodesChannelsMove() {
        List<String> three = List.of("node-a", "node-b", "node-c");
        List<String> shuffled = List.of("node-c", "node-a", "node-b");
        List<String> two = List.of("node-a", "node-b");
        int moved = 0;
        Set<String> owners = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            String channel = "channel-" + i;
            String owner = ChannelOwners.ownerOf(three, "app", channel);
            owners.add(owner);
            assertThat(ChannelOwners.ownerOf(shuffled, "app", channel)).isEqualTo(owner);
            String after = ChannelOwners.ownerOf(two, "app", channel);
            if (!owner.equals("node-c")) {
                assertThat(after).as("owner of %s after node-c left", channel).isEqualTo(owner);
            } else {
                moved++;
            }
        }
        assertThat(owners).containsExactlyInAnyOrderElementsOf(three);
        assertThat(moved).as("channels of node-c, about a third").isBetween(800, 1200);
    }
}
