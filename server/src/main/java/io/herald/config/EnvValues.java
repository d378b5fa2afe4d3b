package io.herald.config;

/** Parsing of environment variable values; each failure names the variable. */
final class EnvValues {

    private EnvValues() {}

    static int integer(String var, String raw, int min, int max) {
        String text = raw.trim();
        Long value = null;
        if (text.matches("[-+]?\\d{1,18}")) {
            value = Long.parseLong(text);
        }
        if (value == null || value < min || value > max) {
            throw ConfigException.expected(var, JsonValues.rangeText(min, max, value), JsonValues.quote(raw));
        }
        return value.intValue();
    }

    /** Sockudo's spellings of a boolean: true/1/yes/on and false/0/no/off, in any case. */
    static boolean bool(String var, String raw) {
        switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on":
                return true;
            case "false", "0", "no", "off":
                return false;
            default:
                throw ConfigException.expected(var, "true/false, 1/0, yes/no or on/off", JsonValues.quote(raw));
        }
    }

    static boolean isBool(String raw) {
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on", "false", "0", "no", "off" -> true;
            default -> false;
        };
    }
}
