package io.herald.config;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * What loading the configuration has to tell the operator. Held until the whole configuration is
 * known to be valid, so that no warning (say, "No apps configured") comes before an error that
 * stops start-up; on such an error only the unknown keys are told, as they may explain it.
 */
final class StartupNotes {

    private enum Kind { UNKNOWN_KEY, WARNING, INFO }

    private record Note(Kind kind, String text) {}

    private final List<Note> notes = new ArrayList<>();

    void unknownKey(String text) {
        notes.add(new Note(Kind.UNKNOWN_KEY, text));
    }

    void warn(String text) {
        notes.add(new Note(Kind.WARNING, text));
    }

    void info(String text) {
        notes.add(new Note(Kind.INFO, text));
    }

    /** Everything, in the order it was found. */
    void logAll(Logger log) {
        for (Note note : notes) {
            if (note.kind() == Kind.INFO) {
                log.info(note.text());
            } else {
                log.warn(note.text());
            }
        }
    }

    /** Start-up stops: only what may explain why. */
    void logUnknownKeys(Logger log) {
        notes.stream().filter(note -> note.kind() == Kind.UNKNOWN_KEY).forEach(note -> log.warn(note.text()));
    }
}
