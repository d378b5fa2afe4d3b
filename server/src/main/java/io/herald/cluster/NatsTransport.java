package io.herald.cluster;

import io.herald.logs.EveryMinute;
import io.herald.config.HeraldConfig;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.herald.config.TrustedCertificates;
import io.herald.wire.Secrets;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NATS core pub/sub (adapter.driver nats) through jnats: one connection, one dispatcher thread
 * for everything received. jnats reconnects by itself, to any of the configured servers. Its
 * reconnect buffer is off: by default it keeps 8 MB of publishes made while disconnected and
 * sends them once connected again, however old they are by then; here they fail at once.
 *
 * <p>Core NATS has no acknowledgement, and jnats only queues a publish for its writer thread. A
 * publish completes once a PING sent after it was answered: the server has it, so a crash of
 * this node after that cannot lose it (the HTTP API answers a publish only then). One thread
 * sends one PING for every publish made since its last one, so a busy node pays one round trip
 * per batch, not per publish.
 */
public final class NatsTransport implements ClusterTransport {
    private static final Logger log = LoggerFactory.getLogger(NatsTransport.class);
    /** How long a publish waits for the server's PONG before it counts as not taken. */
    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(2);
    private static final CompletionStage<Boolean> REFUSED = CompletableFuture.completedStage(false);

    private final HeraldConfig.AdapterConfig.Nats config;
    private final String connectionName;
    /** The servers for messages (without credentials), and every credential to mask in jnats's texts. */
    private final String where;
    private final Set<String> secrets = new HashSet<>();
    private volatile Connection connection;
    private final EveryMinute failures = new EveryMinute();
    /** Publishes (and probes) waiting for the next PING's answer; guarded by itself. */
    private final ArrayList<Unconfirmed> unconfirmed = new ArrayList<>();
    /** Counts lost connections: a PING answered on a later connection says nothing of a publish. */
    private volatile long connectionLosses;
    private volatile boolean closed;

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
    public void start(List<String> subjects, Receiver receiver) {
        Options.Builder options = new Options.Builder()
                .servers(config.servers().toArray(String[]::new))
                .connectionName(connectionName)
                .connectionTimeout(Duration.ofMillis(config.connectionTimeoutMillis()))
                .maxReconnects(-1)
                .reconnectBufferSize(0)
                // Confirmations, probes and jnats's own keep-alive each have a PING out at times:
                // three unanswered are still no reason to drop the connection, four are.
                .maxPingsOut(4)
                .connectionListener((connection, event) -> {
                    log.info("NATS connection {}", event);
                    if (event == ConnectionListener.Events.DISCONNECTED) {
                        connectionLosses++; // only jnats's connection thread writes it
                    }
                    if (event == ConnectionListener.Events.RESUBSCRIBED || event == ConnectionListener.Events.RECONNECTED) {
                        receiver.resubscribed();
                    }
                })
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
        Dispatcher dispatcher = connection.createDispatcher(message -> receiver.message(message.getSubject(), message.getData()));
        subjects.forEach(dispatcher::subscribe);
        try {
            // A round trip: the server has the subscriptions before this node publishes anything,
            // so the answers to its first requests are not missed.
            connection.flush(Duration.ofMillis(config.connectionTimeoutMillis()));
        } catch (Exception e) {
            close();
            throw new IllegalStateException("adapter.driver nats: the server did not answer after subscribing: " + e.getMessage(), e);
        }
        Thread confirmer = new Thread(this::confirmPublishes, "nats-confirm-" + connectionName);
        confirmer.setDaemon(true);
        confirmer.start();
    }

    /** The confirmer thread: one PING round trip for everything published since the last one. */
    private record Unconfirmed(CompletableFuture<Boolean> confirmed, long connectionLosses) {}

    private void confirmPublishes() {
        List<Unconfirmed> batch = new ArrayList<>();
        while (!closed) {
            synchronized (unconfirmed) {
                while (unconfirmed.isEmpty() && !closed) {
                    try {
                        unconfirmed.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                batch.addAll(unconfirmed);
                unconfirmed.clear();
            }
            boolean answered;
            try {
                connection.flush(CONFIRM_TIMEOUT); // the PING goes behind every publish of the batch
                answered = isConnected(); // flush also returns when there was no connection to PING on
            } catch (TimeoutException | RuntimeException e) {
                answered = false;
            } catch (InterruptedException e) {
                answered = false;
                closed = true;
            }
            for (Unconfirmed publish : batch) {
                publish.confirmed().complete(answered && publish.connectionLosses() == connectionLosses);
            }
            batch.clear();
        }
    }

    /**
     * Completes with whether the server answered a PING sent after everything queued so far, on
     * the connection there was when {@code losses} was read.
     */
    private CompletableFuture<Boolean> confirmation(long losses) {
        CompletableFuture<Boolean> confirmed = new CompletableFuture<>();
        synchronized (unconfirmed) {
            if (closed) {
                return CompletableFuture.completedFuture(false);
            }
            unconfirmed.add(new Unconfirmed(confirmed, losses));
            unconfirmed.notify();
        }
        return confirmed;
    }

    @Override
    public CompletionStage<Boolean> publish(String subject, byte[] message) {
        long losses = connectionLosses;
        try {
            connection.publish(subject, message);
            return confirmation(losses);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Larger than the server's max_payload, disconnected, or the connection is closed.
            long held = failures.due(subject);
            if (held >= 0) {
                log.warn("could not publish to NATS subject {}: {}{}", subject, e.getMessage(),
                        held > 0 ? " (and " + held + " more in the last minute)" : "");
            }
            return REFUSED;
        }
    }

    /** The server's max_payload (1 MB unless configured), as it said when this node connected. */
    @Override
    public int maxMessageBytes() {
        Connection current = connection;
        long max = current == null || current.getServerInfo() == null ? 0 : current.getServerInfo().getMaxPayload();
        return max > 0 ? (int) Math.min(Integer.MAX_VALUE, max) : 1024 * 1024;
    }

    @Override
    public boolean isConnected() {
        return connection != null && connection.getStatus() == Connection.Status.CONNECTED;
    }

    @Override
    public boolean probe(Duration timeout) {
        try {
            // A PING the server must answer, through the confirmer (one PING out from here at a time).
            return confirmation(connectionLosses).get(timeout.toMillis(), TimeUnit.MILLISECONDS) && isConnected();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public void close() {
        synchronized (unconfirmed) {
            closed = true;
            unconfirmed.forEach(publish -> publish.confirmed().complete(false));
            unconfirmed.clear();
            unconfirmed.notify();
        }
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
