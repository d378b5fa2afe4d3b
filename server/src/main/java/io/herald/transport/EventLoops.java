package io.herald.transport;

import io.herald.config.HeraldConfig;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The acceptor and worker loops. No per-connection threads. The I/O transport is
 * {@code io_transport}: "auto" (native epoll on Linux, NIO elsewhere), "epoll", "io_uring"
 * (a Linux kernel with io_uring, in a container whose seccomp profile allows it) or "nio".
 */
public record EventLoops(EventLoopGroup acceptor, EventLoopGroup workers, Class<? extends ServerChannel> serverChannel,
                         String transportName) {

    /** @throws IllegalStateException if the transport asked for cannot run here, saying why */
    public static EventLoops create(int workerThreads, String transport) {
        String chosen = transport.equals(HeraldConfig.IO_TRANSPORT_AUTO) ? (Epoll.isAvailable() ? "epoll" : "nio") : transport;
        IoHandlerFactory io;
        Class<? extends ServerChannel> serverChannel;
        switch (chosen) {
            case "epoll" -> {
                requireAvailable(chosen, Epoll.unavailabilityCause());
                io = EpollIoHandler.newFactory();
                serverChannel = EpollServerSocketChannel.class;
            }
            case "io_uring" -> {
                requireAvailable(chosen, IoUring.unavailabilityCause());
                io = IoUringIoHandler.newFactory();
                serverChannel = IoUringServerSocketChannel.class;
            }
            case "nio" -> {
                io = NioIoHandler.newFactory();
                serverChannel = NioServerSocketChannel.class;
            }
            default -> throw new IllegalArgumentException("io_transport: unknown transport " + transport);
        }
        // Lettuce's Redis connections run on these loops and pick their socket type by themselves
        // (epoll first): tell it which one these loops take. Read once per JVM, at Lettuce's first use.
        System.setProperty("io.lettuce.core.epoll", String.valueOf(chosen.equals("epoll")));
        System.setProperty("io.lettuce.core.iouring", String.valueOf(chosen.equals("io_uring")));
        return new EventLoops(new MultiThreadIoEventLoopGroup(1, io), new MultiThreadIoEventLoopGroup(workerThreads, io),
                serverChannel, chosen);
    }

    private static void requireAvailable(String transport, Throwable unavailable) {
        if (unavailable != null) {
            throw new IllegalStateException("io_transport is " + transport + ", but " + transport
                    + " cannot run here: " + unavailable.getMessage());
        }
    }

    /**
     * One loop of its own for a part that does network I/O off the workers (webhooks), with the
     * client socket type that goes with it.
     */
    public record Single(EventLoopGroup group, Class<? extends Channel> socketChannel) {
        public EventLoop loop() {
            return group.next();
        }

        public void shutdown() {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    public static Single single(String threadName) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        ThreadFactory threads = runnable -> {
            Thread thread = new FastThreadLocalThread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        };
        return new Single(new MultiThreadIoEventLoopGroup(1, threads, io),
                epoll ? EpollSocketChannel.class : NioSocketChannel.class);
    }

    public void shutdown() {
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
