package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * How the connections of a soak or chaos run are laid out, computed the same way by the
 * coordinator (which publishes to the channels) and the workers (which hold the connections).
 * Slot {@code g} of {@code total} is a presence member when {@code g} is a multiple of
 * {@code total / presenceMembers} (so members are spread over every worker), else a subscriber of
 * public channel {@code g % publicChannels}. Channel indexes: public channels first, then presence.
 */
public record SlotLayout(int total, int publicChannels, String publicPrefix, int presenceMembers, int presenceChannels,
                         String presencePrefix) {
    public SlotLayout {
        if (total < 1 || publicChannels < 1 || presenceMembers < 0 || presenceMembers > total
                || (presenceMembers > 0 && presenceChannels < 1)) {
            throw new IllegalArgumentException("slot layout needs connections >= 1, channels >= 1, 0 <= presence members <= "
                    + "connections and presence channels >= 1 (got " + total + ", " + publicChannels + ", " + presenceMembers + ", "
                    + presenceChannels + ")");
        }
        if (!presencePrefix.startsWith("presence-")) {
            throw new IllegalArgumentException("presence channel names must start with presence-: " + presencePrefix);
        }
    }

    private int stride() {
        return presenceMembers == 0 ? Integer.MAX_VALUE : Math.max(1, total / presenceMembers);
    }

    public boolean isPresence(int slot) {
        return presenceMembers > 0 && slot % stride() == 0 && slot / stride() < presenceMembers;
    }

    public int channelIndex(int slot) {
        return isPresence(slot) ? publicChannels + (slot / stride()) % presenceChannels : slot % publicChannels;
    }

    /** Public and presence channels that carry members (a presence channel without any is left out). */
    public int channelCount() {
        return publicChannels + usedPresenceChannels();
    }

    public int usedPresenceChannels() {
        return Math.min(presenceChannels, presenceMembers);
    }

    public String channelName(int index) {
        return index < publicChannels ? publicPrefix + index : presencePrefix + (index - publicChannels);
    }

    public List<String> channelNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < channelCount(); i++) {
            names.add(channelName(i));
        }
        return names;
    }

    public List<String> presenceChannelNames() {
        return channelNames().subList(publicChannels, channelCount());
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("total", total);
        o.put("public_channels", publicChannels);
        o.put("public_prefix", publicPrefix);
        o.put("presence_members", presenceMembers);
        o.put("presence_channels", presenceChannels);
        o.put("presence_prefix", presencePrefix);
        return o;
    }

    public static SlotLayout fromJson(JsonNode o) {
        return new SlotLayout(o.path("total").asInt(), o.path("public_channels").asInt(), o.path("public_prefix").asText(),
                o.path("presence_members").asInt(), o.path("presence_channels").asInt(), o.path("presence_prefix").asText());
    }
}
