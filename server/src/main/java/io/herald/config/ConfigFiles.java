package io.herald.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one JSON config file: text, then {@code ${VAR}} / {@code ${VAR:-default}} substitution, then parsing. */
final class ConfigFiles {

    /**
     * {@code //} and {@code /* *\/} comments are allowed: Sockudo's own documentation prints its
     * config blocks with them. Duplicate keys and trailing content are errors, not silently dropped.
     */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final Pattern SOURCE_IN_MESSAGE = Pattern.compile("\\[Source: [^;\\]]*; ");

    private ConfigFiles() {}

    /** The file's top-level object; {@code env} holds only non-empty variables. */
    static ObjectNode read(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + ": not found");
        } catch (CharacterCodingException e) {
            throw new ConfigException("config file " + file + ": not valid UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException("config file " + file + ": cannot be read (" + e + ")");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String substituted = substitute(text, env, file);
        return parse(substituted, file, !substituted.equals(text));
    }

    static String substitute(String text, Map<String, String> env, Path file) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = env.get(name);
            if (value == null) {
                if (m.group(2) == null) {
                    throw new ConfigException("config file " + file + ", line " + lineOf(text, m.start())
                            + ": environment variable " + name + " is not set (used as ${" + name
                            + "}; write ${" + name + ":-value} to give a default)");
                }
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static ObjectNode parse(String text, Path file, boolean substituted) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String detail = SOURCE_IN_MESSAGE.matcher(String.valueOf(e.getOriginalMessage())).replaceAll("[");
            throw new ConfigException("config file " + file + ": malformed JSON" + where + ": " + detail
                    + (substituted ? " (positions are counted after ${...} substitution)" : ""));
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigException("config file " + file + ": expected a JSON object, got an empty file");
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + file + ": expected a JSON object at the top level, got "
                    + JsonValues.describe(root));
        }
        return (ObjectNode) root;
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
