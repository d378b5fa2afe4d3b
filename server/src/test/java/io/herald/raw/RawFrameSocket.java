package io.herald.raw;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket spoken byte by byte over a plain socket, for what the JDK client will not send:
 * one single frame of any size and opcode (the JDK splits long messages into fragments).
 * Reads block at most 10 s.
 */
public final class RawFrameSocket implements AutoCloseable {
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    public record Frame(boolean fin, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame, or 1005 when it carries none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int status;

    private RawFrameSocket(int port, String pathAndQuery, byte[] sentWithTheRequest) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) (RawClient.TIMEOUT_SECONDS * 1000));
        socket.setSoTimeout((int) (RawClient.TIMEOUT_SECONDS * 1000));
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        first.write(request.getBytes(StandardCharsets.US_ASCII));
        first.write(sentWithTheRequest);
        out.write(first.toByteArray());
        out.flush();
        String head = readHead(in);
        String statusLine = head.substring(0, head.indexOf("\r\n"));
        status = Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** Opens the socket and performs the upgrade; check {@link #status()} for 101. */
    public static RawFrameSocket open(int port, String pathAndQuery) {
        return open(port, pathAndQuery, new byte[0]);
    }

    /** Like {@link #open(int, String)}, with bytes (say, a {@link #textFrame}) sent in the same write as the request. */
    public static RawFrameSocket open(int port, String pathAndQuery, byte[] sentWithTheRequest) {
        try {
            return new RawFrameSocket(port, pathAndQuery, sentWithTheRequest);
        } catch (IOException e) {
            throw new IllegalStateException("raw WebSocket to " + pathAndQuery + " failed", e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    public int status() {
        return status;
    }

    /** Writes one masked frame exactly as given. */
    public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        out.write(maskedFrame(fin, opcode, payload));
        out.flush();
    }

    /** Writes raw bytes: a frame this class would not build (unmasked, reserved bits set). */
    public void sendBytes(byte... bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One complete masked text frame, as a client sends it. */
    public static byte[] textFrame(String text) {
        return maskedFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] maskedFrame(boolean fin, int opcode, byte[] payload) {
        return maskedFrame((fin ? 0x80 : 0) | opcode, payload);
    }

    /** One masked frame whose first byte (FIN, reserved bits, opcode) is given as is: any frame a client could send. */
    public static byte[] maskedFrame(int firstByte, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(firstByte);
        int len = payload.length;
        if (len < 126) {
            frame.write(0x80 | len);
        } else if (len <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(len >>> 8);
            frame.write(len & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) len >>> shift) & 0xFF));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < len; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    public void sendText(String text) throws IOException {
        sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the next frame from the server (unmasked), waiting at most 10 s. */
    public Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    /** Reads frames until a close frame and returns it (text frames before it are skipped). */
    public Frame readUntilClose() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == CLOSE) {
                return frame;
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
