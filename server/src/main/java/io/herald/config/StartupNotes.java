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
    private final Logger immediately; // null: held until logAll

    StartupNotes() {
        this(null);
    }

    private StartupNotes(Logger immediately) {
        this.immediately = immediately;
    }

    /** Notes logged as they come, for what is read after start-up (an app row of a database). */
    static StartupNotes immediate(Logger log) {
        return new StartupNotes(log);
    }

    void unknownKey(String text) {
        add(new Note(Kind.UNKNOWN_KEY, text));
    }

    void warn(String text) {
        add(new Note(Kind.WARNING, text));
    }

    void info(String text) {
        add(new Note(Kind.INFO, text));
    }

    private void add(Note note) {
        if (immediately == null) {
            notes.add(note);
        } else if (note.kind() == Kind.INFO) {
            immediately.info(note.text());
        } else {
            immediately.warn(note.text());
        }
    }

    /** The warnings' texts (unknown keys included), in the order they were found. */
    List<String> warnings() {
        return notes.stream().filter(note -> note.kind() != Kind.INFO).map(Note::text).toList();
    }

    /** Every text, in the order it was found. */
    List<String> all() {
        return notes.stream().map(Note::text).toList();
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
