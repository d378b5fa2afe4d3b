package io.herald.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.bench.coord.SlotFleet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PresenceViewsTest {
    private static final SlotFleet.Presence TRUTH = new SlotFleet.Presence(
            Map.of("presence-a", Set.of("u1-0", "u2-3", "u3-1")), Set.of("u3-1"), 1);

    @Test
    void agreesWhenEveryViewListsTheMembersHeldIgnoringProbesAndUnansweredSubscribes() {
        var views = List.of(
                new PresenceViews.View(0, "api", "presence-a", Set.of("u1-0", "u2-3"), null),
                new PresenceViews.View(1, "roster", "presence-a", Set.of("u1-0", "u2-3", "u3-1", "probe-1"), null));
        assertTrue(PresenceViews.compare(views, TRUTH).agree());
    }

    @Test
    void namesGhostsMissingMembersAndSilentNodes() {
        var views = List.of(
                new PresenceViews.View(0, "roster", "presence-a", Set.of("u1-0", "u2-3", "u2-2"), null),
                new PresenceViews.View(1, "api", "presence-a", Set.of("u1-0"), null),
                new PresenceViews.View(2, "api", "presence-a", null, "timeout"));
        PresenceViews.Comparison c = PresenceViews.compare(views, TRUTH);
        assertFalse(c.agree());
        assertEquals(Set.of("u2-2"), c.ghosts());
        assertEquals(Set.of("u2-3"), c.missing());
        assertEquals(1, c.unanswered());
        assertTrue(c.examples().contains("ghost u2-2 listed by node 1 (roster) in presence-a"), c.examples().toString());
    }
}
