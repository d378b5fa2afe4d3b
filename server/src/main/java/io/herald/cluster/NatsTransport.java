package io.herald.cluster;

import io.herald.config.HeraldConfig;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.herald.config.TrustedCertificates;
import io.herald.wire.Secrets;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NATS core pub/sub (adapter.driver nats) through jnats: one connection, one dispatcher thread
 * for everything received. jnats reconnects by itself, to any of the configured servers.
 */
public final class NatsTransport implements ClusterTransport {
    private static final Logger log = LoggerFactory.getLogger(NatsTransport.class);

    private final HeraldConfig.AdapterConfig.Nats config;
    private final String connectionName;
    /** The servers for messages (without credentials), and every credential to mask in jnats's texts. */
    private final String where;
    private final Set<String> secrets = new HashSet<>();
    private Connection connection;

    public NatsTransport(HeraldConfig.AdapterConfig.Nats config, String nodeId) {
        this.config = config;
        this.connectionName = "herald-" + nodeId;
        this.where = Secrets.mask(String.join(",", config.servers()));
        config.servers().forEach(server -> secrets.addAll(Secrets.ofUrl(server)));
        secrets.add(config.password());
        secrets.add(config.token());
        secrets.remove(null);
    }

    @Override
    public void start(List<String> subjects, BiConsumer<String, byte[]> receiver) {
        Options.Builder options = new Options.Builder()
                .servers(config.servers().toArray(String[]::new))
                .connectionName(connectionName)
                .connectionTimeout(Duration.ofMillis(config.connectionTimeoutMillis()))
                .maxReconnects(-1)
                .connectionListener((connection, event) -> log.info("NATS connection {}", event))
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection connection, String error) {
                        log.warn("NATS error: {}", Secrets.mask(error, secrets));
                    }

                    @Override
                    public void exceptionOccurred(Connection connection, Exception exception) {
                        log.warn("NATS: {}", Secrets.mask(exception.toString(), secrets));
                    }
                });
        if (config.tlsCaPath() != null) {
            try {
                // With a context jnats speaks TLS to every server (tls:// or not), trusting this CA.
                options.sslContext(TrustedCertificates.sslContext(Path.of(config.tlsCaPath())));
            } catch (IOException e) {
                throw new IllegalStateException("adapter.nats.tls_ca_path: " + e.getMessage(), e);
            }
        }
        if (config.token() != null) {
            options.token(config.token().toCharArray());
        }
        if (config.username() != null) {
            options.userInfo(config.username(), config.password() == null ? "" : config.password());
        }
        try {
            connection = Nats.connect(options.build());
        } catch (IOException e) {
            // Without the cause: jnats's message lists the servers as configured, credentials included.
            throw new IllegalStateException("adapter.driver nats: cannot connect to " + where + ": "
                    + Secrets.describe(e, secrets));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("adapter.driver nats: interrupted while connecting", e);
        }
        Dispatcher dispatcher = connection.createDispatcher(message -> receiver.accept(message.getSubject(), message.getData()));
        subjects.forEach(dispatcher::subscribe);
    }

    @Override
    public void publish(String subject, byte[] message) {
        try {
            connection.publish(subject, message);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Larger than the server's max_payload, or the connection is closed.
            log.warn("could not publish to NATS subject {}: {}", subject, e.getMessage());
        }
    }

    @Override
    public boolean isConnected() {
        return connection != null && connection.getStatus() == Connection.Status.CONNECTED;
    }

    @Override
    public boolean probe(Duration timeout) {
        try {
            connection.flush(timeout); // a PING the server must answer
            return isConnected();
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public void close() {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
